'use client';

import { useQueryClient } from '@tanstack/react-query';
import * as React from 'react';
import { toast } from 'sonner';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { Dialog, DialogContent, DialogFooter, DialogHeader } from '@/components/ui/dialog';
import { Field } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import type { AdminUser } from '@/lib/client/admin-types';
import { api, errorMessage } from '@/lib/client/api';

export type UserAction = { user: AdminUser; action: 'grant' | 'revoke' | 'disable' | 'enable' } | null;

/** The confirmations of the Users page: each says what happens before it happens. */
export function UserActionDialogs({ pending, onClose }: { pending: UserAction; onClose: () => void }) {
  const qc = useQueryClient();
  const done = async (message: string) => {
    toast.success(message);
    await qc.invalidateQueries({ queryKey: ['admin-users'] });
  };
  const u = pending?.user;
  if (pending?.action === 'disable' && u) return <DisableDialog user={u} onClose={onClose} onDone={done} />;
  const grant = pending?.action === 'grant';
  const revoke = pending?.action === 'revoke';
  return (
    <ConfirmDialog
      open={!!pending && pending.action !== 'disable'}
      onOpenChange={(open) => !open && onClose()}
      destructive={revoke}
      title={grant ? `Make ${u?.email} a platform admin?` : revoke ? `Revoke ${u?.email}'s platform admin role?` : `Enable ${u?.email}?`}
      description={
        grant
          ? 'They will see every organization, user, sandbox and runner, and can change plans, credit, quotas and suspensions.'
          : revoke
            ? 'They keep their account and their own orgs, and lose the admin area at their next request.'
            : 'They can sign in again and the API keys they created work again. Sessions that ended when they were disabled stay ended.'
      }
      confirmLabel={grant ? 'Make admin' : revoke ? 'Revoke admin' : 'Enable account'}
      onConfirm={async () => {
        if (!u) return;
        if (pending?.action === 'enable') {
          await api(`/api/admin/users/${u.id}/enable`, { method: 'POST' });
          await done(`${u.email} enabled`);
        } else {
          await api(`/api/admin/users/${u.id}`, { method: 'PATCH', body: { isPlatformAdmin: grant } });
          await done(grant ? `${u.email} is a platform admin` : `${u.email} is no longer a platform admin`);
        }
      }}
    />
  );
}

function DisableDialog({ user, onClose, onDone }: { user: AdminUser; onClose: () => void; onDone: (m: string) => Promise<void> }) {
  const [reason, setReason] = React.useState('');
  const [error, setError] = React.useState<string | null>(null);
  const [busy, setBusy] = React.useState(false);
  async function submit(e: React.FormEvent) {
    e.preventDefault();
    if (!reason.trim()) return setError('Give a reason: it is kept with the account and in the audit log');
    setBusy(true);
    setError(null);
    try {
      await api(`/api/admin/users/${user.id}/disable`, { method: 'POST', body: { reason: reason.trim() } });
      await onDone(`${user.email} disabled`);
      onClose();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <Dialog open onOpenChange={(open) => !open && !busy && onClose()}>
      <DialogContent role="alertdialog">
        <DialogHeader
          title={`Disable ${user.email}?`}
          description={`They cannot sign in, every session they have ends now, and the ${user.activeApiKeys} API key${user.activeApiKeys === 1 ? '' : 's'} they created stop working. Their memberships, keys and sandboxes are kept; enabling them undoes it (sessions stay ended).`}
        />
        <form onSubmit={submit} noValidate className="grid gap-4">
          <Field label="Reason" error={error ?? undefined}>
            <Input value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} autoFocus placeholder="Abuse report, left the company…" />
          </Field>
          <DialogFooter>
            <Button type="button" variant="outline" onClick={onClose} disabled={busy}>
              Cancel
            </Button>
            <Button type="submit" variant="destructive" pending={busy}>
              Disable account
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
