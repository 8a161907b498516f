'use client';

import { useQueryClient } from '@tanstack/react-query';
import { Eye, EyeOff, Plus } from 'lucide-react';
import * as React from 'react';
import { toast } from 'sonner';
import { Button } from '@/components/ui/button';
import { Dialog, DialogContent, DialogFooter, DialogHeader } from '@/components/ui/dialog';
import { Field, FormError } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { useOrg } from '@/lib/client/org-context';
import type { Secret } from '@/lib/client/secret-types';
import { useApiForm } from '@/lib/client/use-api-form';

const NAME_RE = /^[A-Z_][A-Z0-9_]{0,127}$/;
const FIELDS = ['name', 'value', 'description', 'hosts'];

/**
 * Create (no `secret`) or edit a secret. The value field is write-only: it starts empty, an
 * edit sends a value only when one is typed, and the reveal toggle shows what is being typed,
 * never what is stored (nothing stored ever comes back).
 */
export function SecretDialog({ secret, open, onOpenChange }: { secret?: Secret; open: boolean; onOpenChange: (o: boolean) => void }) {
  const { org } = useOrg();
  const qc = useQueryClient();
  const [reveal, setReveal] = React.useState(false);
  const editing = Boolean(secret);
  const form = useApiForm<{ secret: Secret }>({
    fields: FIELDS,
    onSuccess: async (data) => {
      toast.success(editing ? `Secret ${data.secret.name} updated` : `Secret ${data.secret.name} created`);
      onOpenChange(false);
      await qc.invalidateQueries({ queryKey: ['secrets', org.slug] });
    },
  });

  function change(next: boolean) {
    if (form.pending) return;
    form.reset();
    setReveal(false);
    onOpenChange(next);
  }

  const onSubmit = form.submit((data) => {
    const name = String(data.get('name') ?? '').trim();
    const value = String(data.get('value') ?? '');
    const description = String(data.get('description') ?? '').trim();
    const hosts = String(data.get('hosts') ?? '')
      .split(/[\s,]+/)
      .map((h) => h.trim())
      .filter(Boolean);
    const errors: Record<string, string> = {};
    if (!editing && !NAME_RE.test(name)) errors.name = 'Capital letters, digits and _, not starting with a digit (like OPENAI_API_KEY)';
    if (!editing && !value) errors.value = 'Enter the value';
    if (Object.keys(errors).length) return { errors };
    if (editing) {
      return {
        path: `/api/v1/secrets/${secret!.name}`,
        method: 'PATCH',
        org: org.slug,
        body: { ...(value ? { value } : {}), description, hosts },
      };
    }
    return { path: '/api/v1/secrets', method: 'POST', org: org.slug, body: { name, value, description, hosts } };
  });

  const e = form.fieldErrors;
  return (
    <Dialog open={open} onOpenChange={change}>
      <DialogContent className="max-w-lg">
        <DialogHeader
          title={editing ? `Edit ${secret!.name}` : 'Create secret'}
          description={
            editing
              ? 'Leave the value blank to keep it. Running sandboxes get a new egress-only value at once, an env value at their next start.'
              : 'Stored encrypted. It is never shown again: not here, not in the API.'
          }
        />
        <form onSubmit={onSubmit} className="grid gap-4" noValidate autoComplete="off">
          <FormError message={form.formError} />
          <Field label="Name" error={e.name} hint={editing ? undefined : 'The environment variable sandboxes see.'}>
            <Input
              name="name"
              defaultValue={secret?.name ?? ''}
              readOnly={editing}
              autoFocus={!editing}
              placeholder="OPENAI_API_KEY"
              className="font-mono"
              maxLength={128}
              spellCheck={false}
            />
          </Field>
          <Field label={editing ? 'New value' : 'Value'} error={e.value} hint="Write-only: up to 64 KiB.">
            <div className="flex gap-2">
              <Input
                name="value"
                type={reveal ? 'text' : 'password'}
                autoFocus={editing}
                placeholder={editing ? 'Unchanged' : ''}
                autoComplete="new-password"
                spellCheck={false}
                className="font-mono"
                data-testid="secret-value"
              />
              <Button
                type="button"
                variant="outline"
                size="icon"
                onClick={() => setReveal((r) => !r)}
                aria-label={reveal ? 'Hide what I type' : 'Show what I type'}
                aria-pressed={reveal}
              >
                {reveal ? <EyeOff /> : <Eye />}
              </Button>
            </div>
          </Field>
          <Field label="Description" error={e.description}>
            <Input name="description" defaultValue={secret?.description ?? ''} maxLength={1000} placeholder="What it is for" />
          </Field>
          <Field
            label="Allowed hosts (egress-only)"
            error={e.hosts}
            hint="Comma-separated. With hosts, sandboxes get a placeholder, and Warren's egress proxy puts the real value into request headers to these hosts only: the value never enters the sandbox. Blank: an ordinary environment variable."
          >
            <Input name="hosts" defaultValue={secret?.hosts.join(', ') ?? ''} placeholder="api.openai.com" spellCheck={false} />
          </Field>
          <DialogFooter>
            <Button type="button" variant="outline" onClick={() => change(false)} disabled={form.pending}>
              Cancel
            </Button>
            <Button type="submit" pending={form.pending}>
              {editing ? 'Save' : 'Create secret'}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}

export function CreateSecretButton() {
  const [open, setOpen] = React.useState(false);
  return (
    <>
      <Button onClick={() => setOpen(true)}>
        <Plus /> Create secret
      </Button>
      <SecretDialog open={open} onOpenChange={setOpen} />
    </>
  );
}
