'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { ShieldEllipsis } from 'lucide-react';
import Link from 'next/link';
import * as React from 'react';
import { toast } from 'sonner';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { EmptyState } from '@/components/ui/empty-state';
import { ListToolbar, matchesSearch, useListFilter } from '@/components/ui/list-toolbar';
import { QueryStates } from '@/components/ui/query-states';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import { api } from '@/lib/client/api';
import { formatDateTime, formatRelative } from '@/lib/client/format';
import { useOrg } from '@/lib/client/org-context';
import type { Secret, SecretUsage } from '@/lib/client/secret-types';
import { SecretDialog } from './secret-dialog';

/** The org's secrets: what each is for, where it goes, and who uses it; never a value. */
export function SecretsCard() {
  const { org, can } = useOrg();
  const qc = useQueryClient();
  const [editing, setEditing] = React.useState<Secret | null>(null);
  const [deleting, setDeleting] = React.useState<Secret | null>(null);
  const secrets = useQuery({
    queryKey: ['secrets', org.slug],
    queryFn: ({ signal }) => api<{ secrets: Secret[] }>('/api/v1/secrets', { org: org.slug, signal }),
  });
  // What the delete would leave without it, named in the confirmation.
  const usage = useQuery({
    queryKey: ['secret-usage', org.slug, deleting?.name],
    queryFn: ({ signal }) =>
      api<{ secret: { usage: SecretUsage } }>(`/api/v1/secrets/${deleting!.name}`, { org: org.slug, signal }),
    enabled: deleting !== null,
  });
  const all = secrets.data?.secrets ?? [];
  const filter = useListFilter();
  const list = all.filter(
    (s) => matchesSearch(filter.q, [s.name, s.description, ...s.hosts]) && (!filter.state || s.kind === filter.state),
  );
  const write = can('secrets:write');

  return (
    <Card>
      <ListToolbar
        filter={filter}
        searchLabel="Search secrets by name, description or host"
        states={[
          { value: 'env', label: 'Environment' },
          { value: 'egress', label: 'Egress-only' },
        ]}
        stateLabel="Filter by kind"
        allLabel="All kinds"
      />
      <QueryStates query={secrets} columns={6} />
      {secrets.data && all.length > 0 && list.length === 0 ? (
        <EmptyState
          icon={ShieldEllipsis}
          title="No secrets match these filters"
          description="Clear a filter to see more."
        />
      ) : null}
      {secrets.data && all.length === 0 ? (
        <EmptyState
          icon={ShieldEllipsis}
          title="No secrets yet"
          description={
            write
              ? 'Create a secret to give sandboxes an API key: as an environment variable, or egress-only so it is used but never readable inside.'
              : 'A developer or admin of this organization can create one.'
          }
        />
      ) : null}
      {list.length > 0 ? (
        <div className="relative overflow-x-auto">
          <Table data-testid="secrets-table">
            <THead>
              <TR>
                <TH>Name</TH>
                <TH>Kind and hosts</TH>
                <TH>Fingerprint</TH>
                <TH>Updated</TH>
                <TH>Last used</TH>
                <TH>Used by</TH>
                <TH className="text-right">
                  <span className="sr-only">Actions</span>
                </TH>
              </TR>
            </THead>
            <TBody>
              {list.map((s) => (
                <TR key={s.name} data-testid={`secret-${s.name}`}>
                  <TD>
                    <div className="font-mono text-sm font-medium text-zinc-900">{s.name}</div>
                    {s.description ? (
                      <div className="max-w-64 truncate text-xs text-zinc-500">{s.description}</div>
                    ) : null}
                  </TD>
                  <TD>
                    {s.kind === 'egress' ? (
                      <div className="flex flex-col gap-1">
                        <Badge tone="accent">Egress-only</Badge>
                        <span className="max-w-56 truncate font-mono text-xs text-zinc-600" title={s.hosts.join(', ')}>
                          {s.hosts.join(', ')}
                        </span>
                      </div>
                    ) : (
                      <Badge>Environment</Badge>
                    )}
                  </TD>
                  <TD>
                    <code
                      className="font-mono text-xs text-zinc-600"
                      title="An HMAC of the value: it changes when the value does"
                    >
                      {s.fingerprint}
                      {s.last2 ? ` ··${s.last2}` : ''}
                    </code>
                  </TD>
                  <TD
                    className="whitespace-nowrap text-zinc-500"
                    title={`${formatDateTime(s.updatedAt)} by ${s.updatedBy}`}
                  >
                    {formatRelative(s.updatedAt)}
                  </TD>
                  <TD className="whitespace-nowrap text-zinc-500" title={formatDateTime(s.lastUsedAt)}>
                    {s.lastUsedAt ? formatRelative(s.lastUsedAt) : 'Never'}
                  </TD>
                  <TD className="whitespace-nowrap text-zinc-600">
                    {s.usedBy.sandboxes} sandbox{s.usedBy.sandboxes === 1 ? '' : 'es'}
                    {s.usedBy.shares ? `, ${s.usedBy.shares} demo link${s.usedBy.shares === 1 ? '' : 's'}` : ''}
                    {s.usedBy.templates ? `, ${s.usedBy.templates} template${s.usedBy.templates === 1 ? '' : 's'}` : ''}
                  </TD>
                  <TD className="whitespace-nowrap text-right">
                    {write ? (
                      <>
                        <Button variant="ghost" size="sm" onClick={() => setEditing(s)} aria-label={`Edit ${s.name}`}>
                          Edit
                        </Button>
                        <Button
                          variant="ghost"
                          size="sm"
                          onClick={() => setDeleting(s)}
                          aria-label={`Delete ${s.name}`}
                        >
                          Delete
                        </Button>
                      </>
                    ) : null}
                  </TD>
                </TR>
              ))}
            </TBody>
          </Table>
        </div>
      ) : null}
      {editing ? (
        <SecretDialog key={editing.name} secret={editing} open onOpenChange={(o) => !o && setEditing(null)} />
      ) : null}
      <ConfirmDialog
        open={deleting !== null}
        onOpenChange={(o) => !o && setDeleting(null)}
        title={`Delete ${deleting?.name ?? 'secret'}?`}
        description={
          <DeleteEffects
            secret={deleting}
            usage={usage.data?.secret.usage}
            pending={usage.isPending}
            orgSlug={org.slug}
          />
        }
        confirmLabel="Delete secret"
        onConfirm={async () => {
          if (!deleting) return;
          await api(`/api/v1/secrets/${deleting.name}`, { method: 'DELETE', org: org.slug });
          toast.success(`Deleted ${deleting.name}`);
          await qc.invalidateQueries({ queryKey: ['secrets', org.slug] });
        }}
      />
    </Card>
  );
}

function DeleteEffects({
  secret,
  usage,
  pending,
  orgSlug,
}: {
  secret: Secret | null;
  usage?: SecretUsage;
  pending: boolean;
  orgSlug: string;
}) {
  if (!secret) return null;
  if (pending) return <span>Looking up what uses it…</span>;
  const sbs = usage?.sandboxes ?? [];
  const links = usage?.shares ?? [];
  const tpls = usage?.templates ?? [];
  return (
    <span className="grid gap-2" data-testid="secret-delete-effects">
      <span>
        {secret.kind === 'egress'
          ? 'Running sandboxes stop getting it at once (their placeholder is no longer replaced).'
          : 'Running sandboxes keep the value they have until they stop.'}{' '}
        Stopped sandboxes that name it cannot start again until it exists. This cannot be undone.
      </span>
      {sbs.length ? (
        <span>
          Sandboxes that use it:{' '}
          {sbs.map((s, i) => (
            <React.Fragment key={s.id}>
              {i ? ', ' : ''}
              <Link className="font-mono text-indigo-600 hover:underline" href={`/${orgSlug}/sandboxes/${s.id}`}>
                {s.id}
              </Link>{' '}
              ({s.state})
            </React.Fragment>
          ))}
        </span>
      ) : (
        <span>No sandbox uses it.</span>
      )}
      {links.length ? <span>Demo links that use it: {links.map((l) => l.label ?? l.id).join(', ')}</span> : null}
      {tpls.length ? (
        <span>
          Templates whose registry password it is (their next pull or rebuild fails):{' '}
          {tpls.map((t, i) => (
            <React.Fragment key={t.id}>
              {i ? ', ' : ''}
              <Link className="text-indigo-600 hover:underline" href={`/${orgSlug}/templates`}>
                {t.name}
              </Link>
            </React.Fragment>
          ))}
        </span>
      ) : (
        <span>No template uses it.</span>
      )}
    </span>
  );
}
