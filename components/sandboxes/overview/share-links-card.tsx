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
import type { CreatedShare, Share } from '@/lib/client/sandbox-types';
import { useApiForm } from '@/lib/client/use-api-form';

/** Terminal embed links for this sandbox: create (read-only or interactive, expiry), copy, revoke. */
export function ShareLinksCard({ sandboxId }: { sandboxId: string }) {
  const { org, can } = useOrg();
  const qc = useQueryClient();
  const key = ['shares', org.slug, sandboxId];
  const [created, setCreated] = React.useState<CreatedShare | null>(null);
  const shares = useQuery({
    queryKey: key,
    queryFn: ({ signal }) =>
      api<{ shares: Share[] }>(`/api/v1/sandboxes/${sandboxId}/shares`, { org: org.slug, signal }),
  });
  const refresh = () => void qc.invalidateQueries({ queryKey: key });
  const form = useApiForm<CreatedShare>({
    fields: ['mode', 'label', 'expiresInHours'],
    onSuccess: (c) => {
      setCreated(c);
      toast.success('Embed link created');
      refresh();
    },
  });
  const onSubmit = form.submit((data) => {
    const label = String(data.get('label') ?? '').trim();
    const hours = Number(data.get('expiresInHours'));
    return {
      path: `/api/v1/sandboxes/${sandboxId}/shares`,
      method: 'POST',
      org: org.slug,
      body: {
        mode: data.get('mode') === 'rw' ? 'rw' : 'ro',
        ...(label ? { label } : {}),
        ...(hours > 0 ? { expiresInHours: hours } : {}),
      },
    };
  });

  return (
    <Card>
      <CardHeader
        title="Share links"
        description="Embed this terminal in a page or a doc: a chrome-less terminal, no sign-in needed."
      />
      {can('sandboxes:write') ? (
        <form onSubmit={onSubmit} className="grid gap-2 border-b border-zinc-200 px-5 py-4">
          <FormError message={form.formError} />
          <div className="flex flex-wrap items-end gap-3">
            <Field label="Label" error={form.fieldErrors.label} className="w-48">
              <Input name="label" placeholder="docs demo" autoComplete="off" />
            </Field>
            <Field label="Access" error={form.fieldErrors.mode} className="w-40">
              <Select name="mode" defaultValue="ro">
                <option value="ro">Read-only</option>
                <option value="rw">Interactive</option>
              </Select>
            </Field>
            <Field label="Expires" error={form.fieldErrors.expiresInHours} className="w-36">
              <Select name="expiresInHours" defaultValue="24">
                <option value="1">in 1 hour</option>
                <option value="24">in 1 day</option>
                <option value="168">in 7 days</option>
                <option value="0">never</option>
              </Select>
            </Field>
            <Button type="submit" pending={form.pending}>
              Create link
            </Button>
          </div>
        </form>
      ) : null}
      {created ? <CreatedShareBox created={created} onDismiss={() => setCreated(null)} /> : null}
      <QueryStates query={shares} columns={4} rows={2} />
      {shares.data ? (
        <ShareList
          shares={shares.data.shares}
          onChanged={refresh}
          emptyHint="Create a link to embed this terminal elsewhere."
        />
      ) : null}
    </Card>
  );
}
