'use client';

import { useQueryClient } from '@tanstack/react-query';
import { AlertTriangle, Plus } from 'lucide-react';
import * as React from 'react';
import { toast } from 'sonner';
import { Button } from '@/components/ui/button';
import { CopyField } from '@/components/ui/copy-button';
import { Dialog, DialogContent, DialogFooter, DialogHeader } from '@/components/ui/dialog';
import { Field, FormError } from '@/components/ui/field';
import { Input, Select } from '@/components/ui/input';
import type { Role } from '@/lib/auth/permissions';
import { useOrg } from '@/lib/client/org-context';
import { grantableRoles, ROLE_DESCRIPTIONS, ROLE_LABELS } from '@/lib/client/roles';
import type { ApiKey } from '@/lib/client/types';
import { useApiForm } from '@/lib/client/use-api-form';

type Created = { apiKey: ApiKey; key: string };

/** Creates a key and shows it once: only its hash is stored, so it cannot be shown again. */
export function CreateApiKeyButton() {
  const { org, role } = useOrg();
  const queryClient = useQueryClient();
  const roles = grantableRoles(role);
  const [open, setOpen] = React.useState(false);
  const [created, setCreated] = React.useState<Created | null>(null);
  const [keyRole, setKeyRole] = React.useState<Role>(roles.includes('developer') ? 'developer' : roles[0]!);
  const form = useApiForm<Created>({
    fields: ['name', 'role', 'expiresInDays', 'format'],
    onSuccess: async (data) => {
      setCreated(data);
      toast.success(`API key ${data.apiKey.name} created`);
      await queryClient.invalidateQueries({ queryKey: ['api-keys', org.slug] });
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
        <Plus /> Create API key
      </Button>
      <Dialog open={open} onOpenChange={change}>
        <DialogContent>
          {created ? (
            <>
              <DialogHeader title={`API key ${created.apiKey.name}`} description={created.key.startsWith('e2b_') ? 'Set it as E2B_API_KEY for the E2B SDKs, or use it as a bearer token.' : 'Use it as a bearer token.'} />
              <CopyField value={created.key} label="API key" />
              <p className="flex items-start gap-2 rounded-md bg-amber-50 px-3 py-2 text-xs text-amber-800" role="note">
                <AlertTriangle className="mt-0.5 size-3.5 shrink-0" aria-hidden />
                Copy it now and keep it secret. Warren stores only a hash: this key will not be shown again.
              </p>
              <DialogFooter>
                <Button onClick={() => change(false)}>I have copied it</Button>
              </DialogFooter>
            </>
          ) : (
            <>
              <DialogHeader
                title="Create API key"
                description={`The key acts as ${org.name} with the role you pick.`}
              />
              <form
                className="grid gap-4"
                noValidate
                onSubmit={form.submit((data) => {
                  const name = String(data.get('name') ?? '').trim();
                  if (!name) return { errors: { name: 'Enter a name' } };
                  const expires = String(data.get('expiresInDays') ?? '');
                  const format = String(data.get('format') ?? 'warren');
                  return {
                    path: '/api/v1/api-keys',
                    method: 'POST',
                    org: org.slug,
                    body: { name, role: keyRole, format, ...(expires ? { expiresInDays: Number(expires) } : {}) },
                  };
                })}
              >
                <FormError message={form.formError} />
                <Field label="Name" error={form.fieldErrors.name} hint="Where it is used, e.g. ci-runner or my-agent.">
                  <Input name="name" maxLength={100} autoFocus placeholder="my-agent" />
                </Field>
                <Field label="Role" error={form.fieldErrors.role} hint={ROLE_DESCRIPTIONS[keyRole]}>
                  <Select name="role" value={keyRole} onChange={(e) => setKeyRole(e.target.value as Role)}>
                    {roles.map((r) => (
                      <option key={r} value={r}>
                        {ROLE_LABELS[r]}
                      </option>
                    ))}
                  </Select>
                </Field>
                <Field label="Expires" error={form.fieldErrors.expiresInDays}>
                  <Select name="expiresInDays" defaultValue="90">
                    <option value="7">In 7 days</option>
                    <option value="30">In 30 days</option>
                    <option value="90">In 90 days</option>
                    <option value="365">In 1 year</option>
                    <option value="">Never</option>
                  </Select>
                </Field>
                <Field
                  label="Format"
                  error={form.fieldErrors.format}
                  hint="E2B format (e2b_…) is for the official E2B SDKs pointed at Warren; it works as a Warren key too."
                >
                  <Select name="format" defaultValue="warren">
                    <option value="warren">Warren (wrn_…)</option>
                    <option value="e2b">E2B (e2b_…)</option>
                  </Select>
                </Field>
                <DialogFooter>
                  <Button type="button" variant="outline" onClick={() => change(false)}>
                    Cancel
                  </Button>
                  <Button type="submit" pending={form.pending}>
                    Create key
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
