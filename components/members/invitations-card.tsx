'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { MailPlus } from 'lucide-react';
import * as React from 'react';
import { toast } from 'sonner';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardHeader } from '@/components/ui/card';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { EmptyState } from '@/components/ui/empty-state';
import { Pagination, pageSlice } from '@/components/ui/pagination';
import { QueryStates } from '@/components/ui/query-states';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import { api } from '@/lib/client/api';
import { formatDateTime, formatRelative } from '@/lib/client/format';
import { useOrg } from '@/lib/client/org-context';
import { ROLE_LABELS } from '@/lib/client/roles';
import type { Invitation } from '@/lib/client/types';

const PAGE_SIZE = 10;

/** Pending invitation links (the links themselves are never listed: only their hash is kept). */
export function InvitationsCard() {
  const { org } = useOrg();
  const [page, setPage] = React.useState(1);
  const [revoking, setRevoking] = React.useState<Invitation | null>(null);
  const queryClient = useQueryClient();
  const invitations = useQuery({
    queryKey: ['invitations', org.slug],
    queryFn: ({ signal }) => api<{ invitations: Invitation[] }>('/api/v1/invitations', { org: org.slug, signal }),
  });
  const list = invitations.data?.invitations ?? [];
  const { rows, pages } = pageSlice(list, page, PAGE_SIZE);

  return (
    <Card>
      <CardHeader title="Pending invitations" description="Links that have not been used yet." />
      <QueryStates query={invitations} rows={2} columns={4} />
      {invitations.data && list.length === 0 ? (
        <EmptyState
          icon={MailPlus}
          title="No pending invitations"
          description="Use Invite to create a link; it appears here until someone accepts it or it expires."
        />
      ) : null}
      {rows.length > 0 ? (
        <Table data-testid="invitations-table">
          <THead>
            <TR>
              <TH>Role</TH>
              <TH>For</TH>
              <TH>Created</TH>
              <TH>Expires</TH>
              <TH className="text-right">
                <span className="sr-only">Actions</span>
              </TH>
            </TR>
          </THead>
          <TBody>
            {rows.map((inv) => (
              <TR key={inv.id}>
                <TD>
                  <Badge>{ROLE_LABELS[inv.role]}</Badge>
                </TD>
                <TD className="text-zinc-600">{inv.email ?? 'Anyone with the link'}</TD>
                <TD className="whitespace-nowrap text-zinc-500">{formatDateTime(inv.createdAt)}</TD>
                <TD className="whitespace-nowrap text-zinc-500" title={formatDateTime(inv.expiresAt)}>
                  {formatRelative(inv.expiresAt)}
                </TD>
                <TD className="text-right">
                  <Button variant="ghost" size="sm" onClick={() => setRevoking(inv)}>
                    Revoke
                  </Button>
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
        title="Revoke invitation?"
        description="The link stops working at once. Anyone who already joined stays a member."
        confirmLabel="Revoke invitation"
        onConfirm={async () => {
          if (!revoking) return;
          await api(`/api/v1/invitations/${revoking.id}`, { method: 'DELETE', org: org.slug });
          toast.success('Invitation revoked');
          await queryClient.invalidateQueries({ queryKey: ['invitations', org.slug] });
        }}
      />
    </Card>
  );
}
