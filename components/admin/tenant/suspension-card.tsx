'use client';

import * as React from 'react';
import { toast } from 'sonner';
import { Button } from '@/components/ui/button';
import { Card, CardBody, CardHeader } from '@/components/ui/card';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { Field } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import type { TenantDetail } from '@/lib/client/admin-types';
import { api } from '@/lib/client/api';
import { formatDateTime } from '@/lib/client/format';
import { holdReasonLabel } from '../tenant-status-badge';
import { useRefreshTenant } from './use-tenant';

/**
 * Suspension, said plainly before it happens: what stops, what is kept, who sees what. A reason
 * is required (the org's members read it in their banner).
 */
export function SuspensionCard({ org }: { org: TenantDetail['org'] }) {
  const refresh = useRefreshTenant(org.id);
  const [reason, setReason] = React.useState('');
  const [error, setError] = React.useState<string | null>(null);
  const [confirm, setConfirm] = React.useState<'suspend' | 'unsuspend' | null>(null);

  return (
    <Card data-testid="tenant-suspension">
      <CardHeader title="Suspension" />
      <CardBody className="grid gap-3 text-sm">
        {org.suspended ? (
          <>
            <p className="text-red-800">
              Suspended {formatDateTime(org.suspended.at)}
              {org.suspended.reason ? `: ${org.suspended.reason}` : ''}. Its API refuses everything but reads of its billing, usage and
              quotas, and its sandboxes were stopped (their files are kept).
            </p>
            <p className="text-zinc-600">Unsuspending restores the API at once; stopped sandboxes stay stopped until someone starts them.</p>
            <div>
              <Button variant="outline" onClick={() => setConfirm('unsuspend')}>
                Unsuspend
              </Button>
            </div>
          </>
        ) : (
          <form
            noValidate
            className="grid gap-3"
            onSubmit={(e) => {
              e.preventDefault();
              if (!reason.trim()) return setError('Give a reason: the org’s members see it in their banner');
              setError(null);
              setConfirm('suspend');
            }}
          >
            {org.hold ? (
              <p className="text-amber-800">
                On hold by the billing enforcer ({holdReasonLabel(org.hold.reason)}) since {formatDateTime(org.hold.since)}
                {org.hold.stoppedAt ? '; its sandboxes were stopped' : `; its sandboxes stop ${formatDateTime(org.hold.stopsAt)}`}.
              </p>
            ) : null}
            <p className="text-zinc-600">
              Suspending stops every running sandbox now (files are kept), refuses the org’s API and API keys with a 403 naming the reason,
              and shows a banner to its members. Nothing is deleted.
            </p>
            <Field label="Reason for suspending" error={error ?? undefined}>
              <Input value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} placeholder="Unpaid invoice, abuse report…" />
            </Field>
            <div>
              <Button type="submit" variant="destructive">
                Suspend organization
              </Button>
            </div>
          </form>
        )}
      </CardBody>
      <ConfirmDialog
        open={confirm !== null}
        onOpenChange={(open) => !open && setConfirm(null)}
        destructive={confirm === 'suspend'}
        title={confirm === 'suspend' ? `Suspend ${org.name}?` : `Unsuspend ${org.name}?`}
        description={
          confirm === 'suspend'
            ? `Its running sandboxes stop now and its API answers 403 (“${reason.trim()}”) until you unsuspend it.`
            : 'Its API and API keys work again at once. Sandboxes stopped by the suspension stay stopped until started.'
        }
        confirmLabel={confirm === 'suspend' ? 'Suspend' : 'Unsuspend'}
        onConfirm={async () => {
          if (confirm === 'suspend') {
            const res = await api<{ stopped: string[]; failed: string[] }>(`/api/admin/orgs/${org.id}/suspend`, { method: 'POST', body: { reason: reason.trim() } });
            toast.success(`Suspended; ${res.stopped.length} sandbox${res.stopped.length === 1 ? '' : 'es'} stopped${res.failed.length ? `, ${res.failed.length} to retry` : ''}`);
            setReason('');
          } else {
            await api(`/api/admin/orgs/${org.id}/unsuspend`, { method: 'POST' });
            toast.success('Unsuspended');
          }
          await refresh();
        }}
      />
    </Card>
  );
}
