'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { KeyRound } from 'lucide-react';
import * as React from 'react';
import { toast } from 'sonner';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { EmptyState } from '@/components/ui/empty-state';
import { Pagination, pageSlice } from '@/components/ui/pagination';
import { ListToolbar, matchesSearch, useListFilter } from '@/components/ui/list-toolbar';
import { QueryStates } from '@/components/ui/query-states';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import { canGrant } from '@/lib/auth/permissions';
import { api } from '@/lib/client/api';
import { formatDateTime, formatRelative, isPast } from '@/lib/client/format';
import { useOrg } from '@/lib/client/org-context';
import { ROLE_LABELS } from '@/lib/client/roles';
import type { ApiKey } from '@/lib/client/types';

const PAGE_SIZE = 20;

const KEY_STATES = [
  { value: 'active', label: 'Active' },
  { value: 'expired', label: 'Expired' },
  { value: 'revoked', label: 'Revoked' },
];
const keyState = (k: ApiKey) =>
  k.revokedAt ? 'revoked' : k.expiresAt && Date.parse(k.expiresAt) < Date.now() ? 'expired' : 'active';

export function ApiKeysCard() {
  const { org, role, can } = useOrg();
  const queryClient = useQueryClient();
  const [page, setPage] = React.useState(1);
  const [revoking, setRevoking] = React.useState<ApiKey | null>(null);
  const keys = useQuery({
    queryKey: ['api-keys', org.slug],
    queryFn: ({ signal }) => api<{ apiKeys: ApiKey[] }>('/api/v1/api-keys', { org: org.slug, signal }),
  });
  const all = keys.data?.apiKeys ?? [];
  const filter = useListFilter();
  const list = all.filter(
    (k) =>
      matchesSearch(filter.q, [k.name, `${k.prefix}…${k.last4}`, k.role]) &&
      (!filter.state || keyState(k) === filter.state),
  );
  // A new filter starts at page one.
  const [pageKey, setPageKey] = React.useState(filter.key);
  if (pageKey !== filter.key) {
    setPageKey(filter.key);
    setPage(1);
  }
  const { rows, pages } = pageSlice(list, page, PAGE_SIZE);
  const mayRevoke = (k: ApiKey) => can('api_keys:write') && !k.revokedAt && canGrant(role, k.role);

  return (
    <Card>
      <ListToolbar filter={filter} searchLabel="Search API keys by name, key or role" states={KEY_STATES} />
      <QueryStates query={keys} columns={6} />
      {keys.data && all.length > 0 && list.length === 0 ? (
        <EmptyState icon={KeyRound} title="No API keys match these filters" description="Clear a filter to see more." />
      ) : null}
      {keys.data && all.length === 0 ? (
        <EmptyState
          icon={KeyRound}
          title="No API keys yet"
          description={
            can('api_keys:write')
              ? 'Create an API key to use the API from your agents, scripts or the SDK.'
              : 'An admin or developer of this organization can create one.'
          }
        />
      ) : null}
      {rows.length > 0 ? (
        <Table data-testid="api-keys-table">
          <THead>
            <TR>
              <TH>Name</TH>
              <TH>Key</TH>
              <TH>Role</TH>
              <TH>Created</TH>
              <TH>Last used</TH>
              <TH>Expires</TH>
              <TH className="text-right">
                <span className="sr-only">Actions</span>
              </TH>
            </TR>
          </THead>
          <TBody>
            {rows.map((k) => (
              <TR key={k.id} data-testid={`api-key-${k.name}`} className={k.revokedAt ? 'text-zinc-400' : undefined}>
                <TD className="font-medium text-zinc-900">{k.name}</TD>
                <TD>
                  <code className="font-mono text-xs text-zinc-600">
                    {k.prefix}…{k.last4}
                  </code>
                </TD>
                <TD>
                  <Badge>{ROLE_LABELS[k.role]}</Badge>
                </TD>
                <TD className="whitespace-nowrap text-zinc-500">{formatDateTime(k.createdAt)}</TD>
                <TD className="whitespace-nowrap text-zinc-500" title={formatDateTime(k.lastUsedAt)}>
                  {k.lastUsedAt ? formatRelative(k.lastUsedAt) : 'Never'}
                </TD>
                <TD className="whitespace-nowrap text-zinc-500" title={formatDateTime(k.expiresAt)}>
                  {k.expiresAt ? formatRelative(k.expiresAt) : 'Never'}
                </TD>
                <TD className="text-right">
                  <KeyStatus apiKey={k} />
                  {mayRevoke(k) ? (
                    <Button variant="ghost" size="sm" onClick={() => setRevoking(k)} aria-label={`Revoke ${k.name}`}>
                      Revoke
                    </Button>
                  ) : null}
                </TD>
              </TR>
            ))}
          </TBody>
        </Table>
      ) : null}
      <Pagination
        page={page}
        hasPrevious={page > 1}
        hasNext={page < pages}
        onPrevious={() => setPage((p) => p - 1)}
        onNext={() => setPage((p) => p + 1)}
      />
      <ConfirmDialog
        open={revoking !== null}
        onOpenChange={(o) => !o && setRevoking(null)}
        title={`Revoke ${revoking?.name ?? 'API key'}?`}
        description="Requests with this key fail from now on. This cannot be undone."
        confirmLabel="Revoke key"
        onConfirm={async () => {
          if (!revoking) return;
          await api(`/api/v1/api-keys/${revoking.id}`, { method: 'DELETE', org: org.slug });
          toast.success(`Revoked ${revoking.name}`);
          await queryClient.invalidateQueries({ queryKey: ['api-keys', org.slug] });
        }}
      />
    </Card>
  );
}

function KeyStatus({ apiKey }: { apiKey: ApiKey }) {
  if (apiKey.revokedAt) return <Badge tone="danger">Revoked</Badge>;
  if (isPast(apiKey.expiresAt)) return <Badge tone="warning">Expired</Badge>;
  return null;
}
