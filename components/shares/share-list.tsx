'use client';

import { Link2 } from 'lucide-react';
import * as React from 'react';
import { toast } from 'sonner';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { EmptyState } from '@/components/ui/empty-state';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import { api } from '@/lib/client/api';
import { formatRelative, isPast } from '@/lib/client/format';
import { useOrg } from '@/lib/client/org-context';
import type { Share } from '@/lib/client/sandbox-types';

/** Embed links with their status; revoking cuts off anyone watching right now. */
export function ShareList({
  shares,
  onChanged,
  emptyHint,
}: {
  shares: Share[];
  onChanged: () => void;
  emptyHint: string;
}) {
  const { org, can } = useOrg();
  const [revoking, setRevoking] = React.useState<Share | null>(null);
  if (shares.length === 0) return <EmptyState icon={Link2} title="No links yet" description={emptyHint} />;
  return (
    <>
      <Table data-testid="shares-table">
        <THead>
          <TR>
            <TH>Link</TH>
            <TH>Access</TH>
            <TH>Expires</TH>
            <TH>Status</TH>
            <TH className="text-right">
              <span className="sr-only">Actions</span>
            </TH>
          </TR>
        </THead>
        <TBody>
          {shares.map((s) => {
            const expired = isPast(s.expiresAt);
            const live = !s.revokedAt && !expired;
            const name = s.label ?? s.template ?? s.id;
            return (
              <TR key={s.id} data-testid={`share-${name}`}>
                <TD>
                  <div className="font-medium text-zinc-900">{name}</div>
                  <div className="text-xs text-zinc-500">
                    by {s.createdBy ?? 'unknown'} {formatRelative(s.createdAt)}
                    {s.template
                      ? ` · up to ${s.maxConcurrent} visitors · ${Math.round((s.sandboxTimeoutSec ?? 0) / 60)} min each`
                      : ''}
                    {s.isolation === 'gvisor' ? ' · gVisor' : s.isolation === 'container' ? ' · container' : ''}
                  </div>
                </TD>
                <TD>{s.mode === 'ro' ? <Badge>read-only</Badge> : <Badge tone="accent">interactive</Badge>}</TD>
                <TD className="whitespace-nowrap text-zinc-500">
                  {s.expiresAt ? formatRelative(s.expiresAt) : 'Never'}
                </TD>
                <TD>
                  {s.revokedAt ? (
                    <Badge tone="danger">revoked</Badge>
                  ) : expired ? (
                    <Badge>expired</Badge>
                  ) : (
                    <Badge tone="success">active</Badge>
                  )}
                </TD>
                <TD className="text-right">
                  {live && can('sandboxes:write') ? (
                    <Button variant="outline" size="sm" onClick={() => setRevoking(s)} aria-label={`Revoke ${name}`}>
                      Revoke
                    </Button>
                  ) : null}
                </TD>
              </TR>
            );
          })}
        </TBody>
      </Table>
      <ConfirmDialog
        open={revoking !== null}
        onOpenChange={(o) => !o && setRevoking(null)}
        title="Revoke link"
        description="The link stops working at once and anyone using it now is disconnected."
        confirmLabel="Revoke link"
        onConfirm={async () => {
          if (!revoking) return;
          await api(`/api/v1/shares/${revoking.id}`, { method: 'DELETE', org: org.slug });
          toast.success('Link revoked');
          onChanged();
        }}
      />
    </>
  );
}
