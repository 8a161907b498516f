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
import { DURATION_UNITS, type DurationUnit, formatDuration, toSeconds } from '@/lib/client/duration';
import { useOrg } from '@/lib/client/org-context';
import type { Sandbox, Template } from '@/lib/client/sandbox-types';
import { useApiForm } from '@/lib/client/use-api-form';
import { SecretPicker } from '@/components/secrets/secret-picker';
import { type KV, KeyValueRows, kvToRecord } from './key-value-rows';
import { sandboxKeys } from './use-sandbox-mutations';

const FIELDS = ['template', 'isolation', 'cpu', 'memoryMb', 'diskMb', 'timeoutSec', 'idleTimeoutSec', 'network', 'env', 'metadata', 'secrets'];

/** A blank number input means "the server's default"; anything else must be a number. */
function num(data: FormData, name: string, errors: Record<string, string>): number | undefined {
  const raw = String(data.get(name) ?? '').trim();
  if (raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n)) errors[name] = 'Enter a number';
  return n;
}

/** A blank duration means "the server's default"; else a number in the chosen unit. */
function duration(data: FormData, name: string, errors: Record<string, string>): number | undefined {
  const raw = String(data.get(name) ?? '').trim();
  if (raw === '') return undefined;
  const seconds = toSeconds(raw, String(data.get(`${name}Unit`) ?? 'minutes') as DurationUnit);
  if (Number.isNaN(seconds)) errors[name] = 'Enter a number of minutes, hours or days';
  return seconds;
}

type Quota = { name: string; limit: number };
type Level = { available: boolean; reason?: string };
/** GET /api/v1/quotas: the limits, the plan's required level and what the runners can run now. */
type QuotasResponse = { quotas: Quota[]; plan?: { name: string; requiredIsolation: 'gvisor' | null }; isolation?: { container: Level; gvisor: Level } };
const LEVEL_NAME = { container: 'Container (runc)', gvisor: 'gVisor (user-space kernel)' } as const;
/** The org's per-sandbox maxima, shown beside the fields and checked before sending. */
type Maxima = { maxCpu?: number; maxMemoryMb?: number; maxDiskMb?: number; maxTimeoutSec?: number };

function checkMaxima(body: Record<string, unknown>, max: Maxima, errors: Record<string, string>) {
  const over = (field: string, value: unknown, limit: number | undefined, text: (n: number) => string) => {
    if (typeof value === 'number' && limit !== undefined && value > limit && !errors[field]) {
      errors[field] = `Your organization allows at most ${text(limit)} per sandbox`;
    }
  };
  over('cpu', body.cpu, max.maxCpu, (n) => `${n} vCPU`);
  over('memoryMb', body.memoryMb, max.maxMemoryMb, (n) => `${n} MiB`);
  over('diskMb', body.diskMb, max.maxDiskMb, (n) => `${n} MiB`);
  over('timeoutSec', body.timeoutSec, max.maxTimeoutSec, formatDuration);
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
  const [secrets, setSecrets] = React.useState<string[]>([]);
  const [templateId, setTemplateId] = React.useState('');
  const templates = useQuery({
    queryKey: ['templates', org.slug],
    queryFn: ({ signal }) => api<{ templates: Template[] }>('/api/v1/templates', { org: org.slug, signal }),
    enabled: open,
  });
  const quotas = useQuery({
    queryKey: ['quotas', org.slug],
    queryFn: ({ signal }) => api<QuotasResponse>('/api/v1/quotas', { org: org.slug, signal }),
    enabled: open,
  });
  const max: Maxima = Object.fromEntries((quotas.data?.quotas ?? []).map((q) => [q.name, q.limit]));
  // Which levels can be picked, and why not: the plan may require gVisor, the runners may lack it.
  const required = quotas.data?.plan?.requiredIsolation ?? null;
  const gvisor = quotas.data?.isolation?.gvisor ?? { available: true };
  const containerRefusal = required === 'gvisor' ? `Your plan (${quotas.data?.plan?.name}) requires gVisor` : null;
  const chosenTemplate = (templates.data?.templates ?? []).find((t) => (templateId ? t.id === templateId : t.default));
  const defaultLevel = chosenTemplate?.isolation ?? required ?? 'container';
  const upTo = (n: number | undefined, text: (n: number) => string) => (n === undefined ? undefined : `Up to ${text(n)}.`);
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
      // Blank: the template's level, else the org's default (the server decides, as for the API).
      isolation: data.get('isolation') === 'gvisor' ? ('gvisor' as const) : data.get('isolation') === 'container' ? ('container' as const) : undefined,
      cpu: num(data, 'cpu', errors),
      memoryMb: num(data, 'memoryMb', errors),
      diskMb: num(data, 'diskMb', errors),
      timeoutSec: duration(data, 'timeoutSec', errors),
      idleTimeoutSec: duration(data, 'idleTimeoutSec', errors),
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
      ...(secrets.length ? { secrets } : {}),
    };
    checkMaxima(body, max, errors);
    if (Object.keys(errors).length) return { errors };
    return { path: '/api/v1/sandboxes', method: 'POST', body, org: org.slug };
  });

  function change(next: boolean) {
    if (form.pending) return;
    form.reset();
    if (!next) {
      setEnv([]);
      setMetadata([]);
      setSecrets([]);
      setNetwork('none');
      setTemplateId('');
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
          description="Blank fields take the defaults: 1 vCPU, 512 MiB, 2 GiB disk, a 15-minute timeout."
        />
        <form onSubmit={onSubmit} className="grid gap-4" noValidate>
          <FormError message={form.formError} />
          <Field label="Template" error={e.template}>
            <Select name="template" value={templateId} onChange={(ev) => setTemplateId(ev.target.value)} disabled={templates.isPending}>
              {/* Only templates with a successful build can start a sandbox; the default is listed
                  while its first build runs (a create then says so, with the build to follow). */}
              {(templates.data?.templates ?? [])
                .filter((t) => t.currentBuild || t.builtin || t.default)
                .map((t) => (
                  <option key={t.id} value={t.default ? '' : t.id} title={t.source.type === 'image' ? `${t.source.image} (v${t.currentBuild?.version})` : t.description}>
                    {t.name}
                    {t.source.type === 'debian' && t.public ? ' (base)' : ''}
                    {t.default ? (t.currentBuild ? ' (default)' : ' (default, building…)') : t.source.type === 'image' ? ` — ${t.source.image}` : t.source.type === 'snapshot' ? ' — saved snapshot' : ''}
                  </option>
                ))}
            </Select>
          </Field>
          <div className="grid items-start gap-3 sm:grid-cols-3">
            <Field label="vCPU" error={e.cpu} hint={upTo(max.maxCpu, String)}>
              <Input name="cpu" inputMode="decimal" placeholder="1" />
            </Field>
            <Field label="Memory (MiB)" error={e.memoryMb} hint={upTo(max.maxMemoryMb, (n) => `${n} MiB`)}>
              <Input name="memoryMb" inputMode="numeric" placeholder="512" />
            </Field>
            <Field label="Disk (MiB)" error={e.diskMb} hint={upTo(max.maxDiskMb, (n) => `${n} MiB`)}>
              <Input name="diskMb" inputMode="numeric" placeholder="2048" />
            </Field>
          </div>
          <div className="grid items-start gap-3 sm:grid-cols-2">
            <DurationField
              label="Timeout"
              name="timeoutSec"
              placeholder="15"
              error={e.timeoutSec}
              hint={
                <>
                  Stops the sandbox this long after creation (its files are kept) unless extended.
                  {max.maxTimeoutSec !== undefined ? ` Up to ${formatDuration(max.maxTimeoutSec)}.` : ''}
                </>
              }
            />
            <DurationField
              label="Idle timeout"
              name="idleTimeoutSec"
              placeholder="0"
              error={e.idleTimeoutSec}
              hint="Stops after this long without activity; 0 or blank = never."
            />
          </div>
          <div className="grid items-start gap-3 sm:grid-cols-2">
            <Field
              label="Isolation"
              error={e.isolation}
              hint={
                <>
                  gVisor puts a user-space kernel between the code and the host: stronger, slower to start, no egress or ports yet.
                  {!gvisor.available ? (
                    <span className="block text-amber-700" data-testid="isolation-gvisor-unavailable">
                      gVisor is unavailable: {gvisor.reason ?? 'no runner can run it'}
                    </span>
                  ) : null}
                  {containerRefusal ? (
                    <span className="block text-amber-700" data-testid="isolation-container-refused">
                      {containerRefusal}: container isolation is not allowed.
                    </span>
                  ) : null}
                </>
              }
            >
              <Select name="isolation" defaultValue="" key={`${required}-${gvisor.available}`} data-testid="isolation-select">
                <option value="">Default: {LEVEL_NAME[defaultLevel]}</option>
                <option value="container" disabled={!!containerRefusal}>
                  {LEVEL_NAME.container}
                  {containerRefusal ? ' — not on your plan' : ''}
                </option>
                <option value="gvisor" disabled={!gvisor.available}>
                  {LEVEL_NAME.gvisor}
                  {gvisor.available ? '' : ' — unavailable'}
                </option>
              </Select>
            </Field>
          </div>
          <div className="grid items-start gap-3 sm:grid-cols-2">
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
          <SecretPicker value={secrets} onChange={setSecrets} enabled={open} error={e.secrets} />
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

/** A number and a unit (minutes by default): nobody should have to type 86400. */
function DurationField({
  label,
  name,
  placeholder,
  error,
  hint,
}: {
  label: string;
  name: string;
  placeholder: string;
  error?: string;
  hint: React.ReactNode;
}) {
  return (
    <Field label={label} error={error} hint={hint}>
      <DurationControl name={name} placeholder={placeholder} label={label} />
    </Field>
  );
}

/** Field hands its id and ARIA wiring to the number input; the unit select has its own label. */
function DurationControl({
  name,
  placeholder,
  label,
  ...aria
}: {
  name: string;
  placeholder: string;
  label: string;
  id?: string;
  'aria-invalid'?: boolean;
  'aria-describedby'?: string;
}) {
  return (
    <div className="flex gap-2">
      <Input name={name} inputMode="decimal" placeholder={placeholder} className="min-w-0 flex-1" {...aria} />
      <Select name={`${name}Unit`} defaultValue="minutes" aria-label={`${label} unit`} className="w-28 shrink-0">
        {DURATION_UNITS.map((u) => (
          <option key={u.value} value={u.value}>
            {u.label}
          </option>
        ))}
      </Select>
    </div>
  );
}
