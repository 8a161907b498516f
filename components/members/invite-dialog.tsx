'use client';

import { useQueryClient } from '@tanstack/react-query';
import { AlertTriangle, UserPlus } from 'lucide-react';
import { MailNotice } from './mail-notice';
import * as React from 'react';
import { toast } from 'sonner';
import { Button } from '@/components/ui/button';
import { CopyField } from '@/components/ui/copy-button';
import { Dialog, DialogContent, DialogFooter, DialogHeader } from '@/components/ui/dialog';
import { Field, FormError } from '@/components/ui/field';
import { Input, Select } from '@/components/ui/input';
import { useOrg } from '@/lib/client/org-context';
import { grantableRoles, ROLE_DESCRIPTIONS, ROLE_LABELS } from '@/lib/client/roles';
import type { Invitation, MailStatus } from '@/lib/client/types';
import { useApiForm } from '@/lib/client/use-api-form';

type Created = { invitation: Invitation; token: string; url: string; mail: { status: MailStatus } | null };

/**
 * Creates an invitation link, e-mailed too when an address is given. The link holds the only
 * copy of its token, so it is shown once, whatever happened to the e-mail.
 */
export function InviteButton() {
  const { org, role } = useOrg();
  const queryClient = useQueryClient();
  const [open, setOpen] = React.useState(false);
  const [created, setCreated] = React.useState<Created | null>(null);
  const roles = grantableRoles(role);
  const [chosenRole, setChosenRole] = React.useState(roles.includes('developer') ? 'developer' : roles[0]);
  const form = useApiForm<Created>({
    fields: ['role', 'email', 'expiresInDays'],
    onSuccess: async (data) => {
      setCreated(data);
      toast.success(data.mail?.status === 'sent' ? `Invitation e-mailed to ${data.invitation.email}` : 'Invitation link created');
      await queryClient.invalidateQueries({ queryKey: ['invitations', org.slug] });
    },
  });

  function change(next: boolean) {
    setOpen(next);
    if (!next) {
      setCreated(null);
      form.reset();
    }
  }

  return (
    <>
      <Button onClick={() => setOpen(true)}>
        <UserPlus /> Invite
      </Button>
      <Dialog open={open} onOpenChange={change}>
        <DialogContent>
          {created ? (
            <>
              <DialogHeader
                title={created.mail?.status === 'sent' ? 'Invitation e-mailed' : 'Share this invitation link'}
                description={`Anyone who opens it can join ${org.name} as ${ROLE_LABELS[created.invitation.role].toLowerCase()}${created.invitation.email ? ` (only ${created.invitation.email})` : ''}. It works once.`}
              />
              {created.mail && created.invitation.email ? (
                <MailNotice status={created.mail.status} to={created.invitation.email} />
              ) : null}
              <CopyField value={created.url} label="Invitation link" />
              <p className="flex items-start gap-2 rounded-md bg-amber-50 px-3 py-2 text-xs text-amber-800">
                <AlertTriangle className="mt-0.5 size-3.5 shrink-0" aria-hidden />
                Copy it now: the link is not shown again. You can revoke it from the pending invitations list.
              </p>
              <DialogFooter>
                <Button onClick={() => change(false)}>Done</Button>
              </DialogFooter>
            </>
          ) : (
            <>
              <DialogHeader
                title="Invite a member"
                description="Create a link to send to your teammate. With an e-mail address, Warren e-mails the link too."
              />
              <form
                className="grid gap-4"
                noValidate
                onSubmit={form.submit((data) => {
                  const email = String(data.get('email') ?? '').trim();
                  return {
                    path: '/api/v1/invitations',
                    method: 'POST',
                    org: org.slug,
                    body: {
                      role: String(data.get('role')),
                      expiresInDays: Number(data.get('expiresInDays')),
                      ...(email ? { email } : {}),
                    },
                  };
                })}
              >
                <FormError message={form.formError} />
                <Field
                  label="Role"
                  error={form.fieldErrors.role}
                  hint={chosenRole ? ROLE_DESCRIPTIONS[chosenRole] : null}
                >
                  <Select
                    name="role"
                    value={chosenRole}
                    onChange={(e) => setChosenRole(e.target.value as typeof chosenRole)}
                  >
                    {roles.map((r) => (
                      <option key={r} value={r}>
                        {ROLE_LABELS[r]}
                      </option>
                    ))}
                  </Select>
                </Field>
                <Field
                  label="E-mail"
                  error={form.fieldErrors.email}
                  hint="Optional. When set, the link is e-mailed there and only this account can accept it."
                >
                  <Input name="email" type="email" placeholder="teammate@example.com" maxLength={254} />
                </Field>
                <Field label="Expires" error={form.fieldErrors.expiresInDays}>
                  <Select name="expiresInDays" defaultValue="7">
                    <option value="1">In 1 day</option>
                    <option value="7">In 7 days</option>
                    <option value="30">In 30 days</option>
                  </Select>
                </Field>
                <DialogFooter>
                  <Button type="button" variant="outline" onClick={() => change(false)}>
                    Cancel
                  </Button>
                  <Button type="submit" pending={form.pending}>
                    Create link
                  </Button>
                </DialogFooter>
              </form>
            </>
          )}
        </DialogContent>
      </Dialog>
    </>
  );
}
