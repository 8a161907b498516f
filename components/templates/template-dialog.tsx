'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Plus } from 'lucide-react';
import * as React from 'react';
import { toast } from 'sonner';
import { Button } from '@/components/ui/button';
import { Dialog, DialogContent, DialogFooter, DialogHeader, DialogTrigger } from '@/components/ui/dialog';
import { Field, FormError } from '@/components/ui/field';
import { Input, Select } from '@/components/ui/input';
import { api } from '@/lib/client/api';
import { useOrg } from '@/lib/client/org-context';
import type { Secret } from '@/lib/client/secret-types';
import type { Template } from '@/lib/client/sandbox-types';
import { useApiForm } from '@/lib/client/use-api-form';

const FIELDS = ['name', 'image', 'description', 'registryAuth', 'registryAuth.username', 'registryAuth.passwordSecret', 'startCommand', 'readyCommand', 'isolation'];
const EXAMPLES = ['docker.io/library/python:3.12-slim', 'docker.io/library/node:22-bookworm-slim', 'ghcr.io/astral-sh/uv:debian'];

/** Create a template from an OCI image; its first build starts at once and opens its log. */
export function CreateTemplateButton({ onCreated }: { onCreated: (templateId: string, buildId: string) => void }) {
  const { org } = useOrg();
  const qc = useQueryClient();
  const [open, setOpen] = React.useState(false);
  const [isPrivate, setPrivate] = React.useState(false);
  const secrets = useQuery({
    queryKey: ['secrets', org.slug],
    queryFn: ({ signal }) => api<{ secrets: Secret[] }>('/api/v1/secrets', { org: org.slug, signal }),
    enabled: open && isPrivate,
  });
  const form = useApiForm<{ template: Template; buildId: string }>({
    fields: FIELDS,
    onSuccess: async (res) => {
      toast.success(`Template ${res.template.name} created: building`);
      setOpen(false);
      await qc.invalidateQueries({ queryKey: ['templates', org.slug] });
      onCreated(res.template.id, res.buildId);
    },
  });
  const onSubmit = form.submit((data) => {
    const errors: Record<string, string> = {};
    const name = String(data.get('name') ?? '').trim();
    const image = String(data.get('image') ?? '').trim();
    if (!name) errors.name = 'Give the template a name';
    if (!image) errors.image = 'Enter an image reference';
    const username = String(data.get('username') ?? '').trim();
    const passwordSecret = String(data.get('passwordSecret') ?? '');
    if (isPrivate && !username) errors['registryAuth.username'] = 'Enter the registry user';
    if (isPrivate && !passwordSecret) errors['registryAuth.passwordSecret'] = 'Pick the secret holding the password';
    if (Object.keys(errors).length) return { errors };
    const description = String(data.get('description') ?? '').trim();
    const readyCommand = String(data.get('readyCommand') ?? '').trim();
    return {
      path: '/api/v1/templates',
      method: 'POST',
      org: org.slug,
      body: {
        name,
        image,
        ...(description ? { description } : {}),
        ...(isPrivate ? { registryAuth: { username, passwordSecret } } : {}),
        startCommand: data.get('startCommand') === 'on',
        ...(readyCommand ? { readyCommand } : {}),
        ...(data.get('isolation') ? { isolation: data.get('isolation') } : {}),
      },
    };
  });
  const e = form.fieldErrors;
  const plain = (secrets.data?.secrets ?? []).filter((s) => s.kind === 'env');
  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        if (form.pending) return;
        form.reset();
        setPrivate(false);
        setOpen(next);
      }}
    >
      <DialogTrigger asChild>
        <Button data-testid="create-template">
          <Plus /> New template
        </Button>
      </DialogTrigger>
      <DialogContent className="max-h-[90vh] max-w-xl overflow-y-auto">
        <DialogHeader title="New template from an image" description="Warren pulls the image, stores each layer once, and sandboxes start from it with its Env and WorkingDir." />
        <form onSubmit={onSubmit} className="grid gap-4" noValidate>
          <FormError message={form.formError} />
          <Field label="Name" error={e.name} hint="Lowercase letters, digits, . _ and -; pass it (or the id) as `template`.">
            <Input name="name" placeholder="python-tools" autoComplete="off" />
          </Field>
          <Field label="Image" error={e.image} hint={<>For example {EXAMPLES.map((x, i) => <code key={x} className="font-mono">{x}{i < EXAMPLES.length - 1 ? ', ' : ''}</code>)}</>}>
            <Input name="image" placeholder={EXAMPLES[0]} autoComplete="off" spellCheck={false} className="font-mono" />
          </Field>
          <Field label="Description" error={e.description}>
            <Input name="description" placeholder="Python 3.12 with our tools" />
          </Field>
          <label className="flex items-center gap-2 text-sm text-zinc-700">
            <input type="checkbox" name="startCommand" className="size-4" /> Run the image’s Entrypoint + Cmd in the background when a sandbox starts
          </label>
          <Field label="Ready command (optional)" error={e.readyCommand} hint="A shell command that must succeed in a new sandbox before its create answers (tried for up to 30 s), e.g. curl -sf localhost:8000/health.">
            <Input name="readyCommand" placeholder="test -f /tmp/ready" autoComplete="off" spellCheck={false} className="font-mono" />
          </Field>
          <Field label="Isolation" error={e.isolation} hint="What its sandboxes get when a create names no level; a create may still choose.">
            <Select name="isolation" defaultValue="">
              <option value="">Organization default</option>
              <option value="container">Container (runc)</option>
              <option value="gvisor">gVisor (user-space kernel)</option>
            </Select>
          </Field>
          <label className="flex items-center gap-2 text-sm text-zinc-700">
            <input type="checkbox" checked={isPrivate} onChange={(ev) => setPrivate(ev.target.checked)} className="size-4" /> Private registry (needs credentials)
          </label>
          {isPrivate ? (
            <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
              <Field label="Registry user" error={e['registryAuth.username'] ?? e.registryAuth}>
                <Input name="username" autoComplete="off" />
              </Field>
              <Field label="Password secret" error={e['registryAuth.passwordSecret']} hint={plain.length ? 'Kept in Secrets, never with the template.' : 'Create an environment secret holding the password first.'}>
                <Select name="passwordSecret" defaultValue="" disabled={secrets.isPending}>
                  <option value="">Choose a secret…</option>
                  {plain.map((s) => (
                    <option key={s.name} value={s.name}>
                      {s.name}
                    </option>
                  ))}
                </Select>
              </Field>
            </div>
          ) : null}
          <DialogFooter>
            <Button type="button" variant="outline" onClick={() => setOpen(false)} disabled={form.pending}>
              Cancel
            </Button>
            <Button type="submit" pending={form.pending}>
              Create and build
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
