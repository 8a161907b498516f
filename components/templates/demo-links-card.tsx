'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import * as React from 'react';
import { toast } from 'sonner';
import { CreatedShareBox } from '@/components/shares/created-share';
import { ShareList } from '@/components/shares/share-list';
import { Button } from '@/components/ui/button';
import { Card, CardHeader } from '@/components/ui/card';
import { Field, FormError } from '@/components/ui/field';
import { Input, Select } from '@/components/ui/input';
import { QueryStates } from '@/components/ui/query-states';
import { api } from '@/lib/client/api';
import { useOrg } from '@/lib/client/org-context';
import type { CreatedShare, Share, Template } from '@/lib/client/sandbox-types';
import { useApiForm } from '@/lib/client/use-api-form';
import { SecretPicker } from '@/components/secrets/secret-picker';

/** Demo links: every visitor gets a fresh, short-lived sandbox from a template (owned by this org). */
export function DemoLinksCard() {
  const { org, can } = useOrg();
  const qc = useQueryClient();
  const key = ['shares', org.slug, 'templates'];
  const [created, setCreated] = React.useState<CreatedShare | null>(null);
  const [secrets, setSecrets] = React.useState<string[]>([]);
  const shares = useQuery({
    queryKey: key,
    queryFn: ({ signal }) => api<{ shares: Share[] }>('/api/v1/shares', { org: org.slug, signal }),
    select: (d) => d.shares.filter((s) => s.template),
  });
  const templates = useQuery({
    queryKey: ['templates', org.slug],
    queryFn: ({ signal }) => api<{ templates: Template[] }>('/api/v1/templates', { org: org.slug, signal }),
  });
  const refresh = () => void qc.invalidateQueries({ queryKey: key });
  const form = useApiForm<CreatedShare>({
    fields: ['template', 'label', 'maxConcurrent', 'sandboxTimeoutSec', 'expiresInHours', 'secrets', 'isolation'],
    onSuccess: (c) => {
      setCreated(c);
      setSecrets([]);
      toast.success('Demo link created');
      refresh();
    },
  });
  const onSubmit = form.submit((data) => {
    const label = String(data.get('label') ?? '').trim();
    const max = Number(data.get('maxConcurrent'));
    if (!Number.isInteger(max) || max < 1 || max > 100)
      return { errors: { maxConcurrent: 'Between 1 and 100 visitors' } };
    return {
      path: '/api/v1/shares',
      method: 'POST',
      org: org.slug,
      body: {
        template: String(data.get('template')),
        ...(label ? { label } : {}),
        maxConcurrent: max,
        sandboxTimeoutSec: Number(data.get('sandboxTimeoutSec')),
        expiresInHours: Number(data.get('expiresInHours')),
        ...(secrets.length ? { secrets } : {}),
        ...(data.get('isolation') ? { isolation: data.get('isolation') } : {}),
      },
    };
  });

  return (
    <Card>
      <CardHeader
        title="Demo links"
        description="Put a live terminal on a landing page: each visitor gets their own sandbox for a few minutes."
      />
      {can('sandboxes:write') ? (
        <form onSubmit={onSubmit} className="grid gap-2 border-b border-zinc-200 px-5 py-4" noValidate>
          <FormError message={form.formError} />
          <div className="flex flex-wrap items-end gap-3">
            <Field label="Template" error={form.fieldErrors.template} className="w-36">
              <Select name="template">
                {(templates.data?.templates ?? []).map((t) => (
                  <option key={t.id} value={t.id}>
                    {t.name}
                  </option>
                ))}
              </Select>
            </Field>
            <Field label="Label" error={form.fieldErrors.label} className="w-40">
              <Input name="label" placeholder="homepage" autoComplete="off" />
            </Field>
            <Field label="Max visitors" error={form.fieldErrors.maxConcurrent} className="w-28">
              <Input name="maxConcurrent" inputMode="numeric" defaultValue="5" />
            </Field>
            <Field label="Sandbox lifetime" error={form.fieldErrors.sandboxTimeoutSec} className="w-36">
              <Select name="sandboxTimeoutSec" defaultValue="600">
                <option value="300">5 minutes</option>
                <option value="600">10 minutes</option>
                <option value="1800">30 minutes</option>
              </Select>
            </Field>
            <Field label="Link expires" error={form.fieldErrors.expiresInHours} className="w-32">
              <Select name="expiresInHours" defaultValue="168">
                <option value="24">in 1 day</option>
                <option value="168">in 7 days</option>
                <option value="720">in 30 days</option>
              </Select>
            </Field>
            <Field label="Isolation" error={form.fieldErrors.isolation} className="w-40">
              <Select name="isolation" defaultValue="">
                <option value="">Template's</option>
                <option value="container">Container</option>
                <option value="gvisor">gVisor</option>
              </Select>
            </Field>
            <Button type="submit" pending={form.pending} disabled={templates.isPending}>
              Create demo link
            </Button>
          </div>
          <SecretPicker value={secrets} onChange={setSecrets} enabled egressOnly error={form.fieldErrors.secrets} />
        </form>
      ) : null}
      {created ? <CreatedShareBox created={created} onDismiss={() => setCreated(null)} /> : null}
      <QueryStates query={shares} columns={4} rows={2} />
      {shares.data ? (
        <ShareList
          shares={shares.data}
          onChanged={refresh}
          emptyHint="Create a demo link to let anyone try a sandbox without an account."
        />
      ) : null}
    </Card>
  );
}
