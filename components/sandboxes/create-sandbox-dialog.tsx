'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Plus } from 'lucide-react';
import { useRouter } from 'next/navigation';
import * as React from 'react';
import { toast } from 'sonner';
import { Button } from '@/components/ui/button';
import { Dialog, DialogContent, DialogFooter, DialogHeader, DialogTrigger } from '@/components/ui/dialog';
import { Field, FormError } from '@/components/ui/field';
import { Input, Select } from '@/components/ui/input';
import { api } from '@/lib/client/api';
import { useOrg } from '@/lib/client/org-context';
import type { Sandbox, Template } from '@/lib/client/sandbox-types';
import { useApiForm } from '@/lib/client/use-api-form';
import { type KV, KeyValueRows, kvToRecord } from './key-value-rows';
import { sandboxKeys } from './use-sandbox-mutations';

const FIELDS = ['template', 'cpu', 'memoryMb', 'diskMb', 'timeoutSec', 'idleTimeoutSec', 'network', 'env', 'metadata'];

/** A blank number input means "the server's default"; anything else must be a number. */
function num(data: FormData, name: string, errors: Record<string, string>): number | undefined {
  const raw = String(data.get(name) ?? '').trim();
  if (raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n)) errors[name] = 'Enter a number';
  return n;
}

/** Why creating is refused right now; the banner above the page says the rest. */
const BLOCKED: Record<'suspended' | 'spend_limit' | 'balance_exhausted', string> = {
  suspended: 'This organization is suspended: no new sandboxes.',
  spend_limit: 'The spend limit is reached: no new sandboxes this month.',
  balance_exhausted: 'No credit left: no new sandboxes until credit is added.',
};

export function CreateSandboxButton() {
  const { org, blocked } = useOrg();
  const router = useRouter();
  const qc = useQueryClient();
  const [open, setOpen] = React.useState(false);
  const [network, setNetwork] = React.useState<'none' | 'egress'>('none');
  const [env, setEnv] = React.useState<KV[]>([]);
  const [metadata, setMetadata] = React.useState<KV[]>([]);
  const templates = useQuery({
    queryKey: ['templates', org.slug],
    queryFn: ({ signal }) => api<{ templates: Template[] }>('/api/v1/templates', { org: org.slug, signal }),
    enabled: open,
  });
  const form = useApiForm<Sandbox>({
    fields: FIELDS,
    onSuccess: async (sb) => {
      toast.success('Sandbox created');
      setOpen(false);
      await qc.invalidateQueries({ queryKey: sandboxKeys.all(org.slug) });
      router.push(`/${org.slug}/sandboxes/${sb.id}`);
    },
  });

  const onSubmit = form.submit((data) => {
    const errors: Record<string, string> = {};
    const body = {
      template: String(data.get('template') || '') || undefined,
      cpu: num(data, 'cpu', errors),
      memoryMb: num(data, 'memoryMb', errors),
      diskMb: num(data, 'diskMb', errors),
      timeoutSec: num(data, 'timeoutSec', errors),
      idleTimeoutSec: num(data, 'idleTimeoutSec', errors),
      network: {
        mode: network,
        ...(network === 'egress' && String(data.get('allow') ?? '').trim()
          ? {
              allow: String(data.get('allow'))
                .split(/[\s,]+/)
                .filter(Boolean),
            }
          : {}),
      },
      env: kvToRecord(env),
      metadata: kvToRecord(metadata),
    };
    if (Object.keys(errors).length) return { errors };
    return { path: '/api/v1/sandboxes', method: 'POST', body, org: org.slug };
  });

  function change(next: boolean) {
    if (form.pending) return;
    form.reset();
    if (!next) {
      setEnv([]);
      setMetadata([]);
      setNetwork('none');
    }
    setOpen(next);
  }

  const e = form.fieldErrors;
  if (blocked) {
    // The API would refuse (403/402); say so here rather than after the form is filled in.
    return (
      <div className="flex flex-col items-end gap-1">
        <Button disabled aria-describedby="create-blocked">
          <Plus /> Create sandbox
        </Button>
        <span id="create-blocked" className="text-xs text-red-700" data-testid="create-blocked">
          {BLOCKED[blocked]}
        </span>
      </div>
    );
  }
  return (
    <Dialog open={open} onOpenChange={change}>
      <DialogTrigger asChild>
        <Button>
          <Plus /> Create sandbox
        </Button>
      </DialogTrigger>
      <DialogContent className="max-h-[90vh] max-w-2xl overflow-y-auto">
        <DialogHeader
          title="Create sandbox"
          description="Blank fields take the defaults: 1 vCPU, 512 MiB, 2 GiB disk, 15 minutes."
        />
        <form onSubmit={onSubmit} className="grid gap-4" noValidate>
          <FormError message={form.formError} />
          <Field label="Template" error={e.template}>
            <Select name="template" defaultValue="" disabled={templates.isPending}>
              {(templates.data?.templates ?? []).map((t) => (
                <option key={t.id} value={t.default ? '' : t.id} title={t.description}>
                  {t.name}
                  {t.default ? ' (default)' : ''}
                </option>
              ))}
            </Select>
          </Field>
          <div className="grid grid-cols-3 items-start gap-3">
            <Field label="vCPU" error={e.cpu}>
              <Input name="cpu" inputMode="decimal" placeholder="1" />
            </Field>
            <Field label="Memory (MiB)" error={e.memoryMb}>
              <Input name="memoryMb" inputMode="numeric" placeholder="512" />
            </Field>
            <Field label="Disk (MiB)" error={e.diskMb}>
              <Input name="diskMb" inputMode="numeric" placeholder="2048" />
            </Field>
          </div>
          <div className="grid grid-cols-2 items-start gap-3">
            <Field
              label="Timeout (seconds)"
              error={e.timeoutSec}
              hint="Deleted this long after creation unless extended."
            >
              <Input name="timeoutSec" inputMode="numeric" placeholder="900" />
            </Field>
            <Field
              label="Idle timeout (seconds)"
              error={e.idleTimeoutSec}
              hint="Stops after this long without activity; 0 = never."
            >
              <Input name="idleTimeoutSec" inputMode="numeric" placeholder="0" />
            </Field>
          </div>
          <div className="grid grid-cols-2 items-start gap-3">
            <Field label="Network" error={e.network}>
              <Select value={network} onChange={(ev) => setNetwork(ev.target.value as 'none' | 'egress')}>
                <option value="none">None (loopback only)</option>
                <option value="egress">Egress (internet access)</option>
              </Select>
            </Field>
            {network === 'egress' ? (
              <Field label="Allowed hosts" hint="Comma-separated; blank allows any host.">
                <Input name="allow" placeholder="pypi.org, *.github.com" />
              </Field>
            ) : null}
          </div>
          <KeyValueRows label="Environment" rows={env} onChange={setEnv} error={e.env} />
          <KeyValueRows
            label="Metadata"
            rows={metadata}
            onChange={setMetadata}
            error={e.metadata}
            keyPlaceholder="key"
          />
          <DialogFooter>
            <Button type="button" variant="outline" onClick={() => change(false)} disabled={form.pending}>
              Cancel
            </Button>
            <Button type="submit" pending={form.pending}>
              Create sandbox
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
