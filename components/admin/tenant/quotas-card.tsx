'use client';

import * as React from 'react';
import { toast } from 'sonner';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardHeader } from '@/components/ui/card';
import { Input } from '@/components/ui/input';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import { api, errorMessage } from '@/lib/client/api';
import type { BillingResponse, Quota } from '@/lib/client/billing-types';
import { formatQuota } from '@/lib/client/quota-format';
import { useApiForm } from '@/lib/client/use-api-form';
import { useRefreshTenant } from './use-tenant';

const MIB = 1024 * 1024;

/** What the input takes for each unit, and its conversion to the API's number. */
const INPUT: Record<Quota['unit'], { unit: string; toApi: (n: number) => number; fromApi: (n: number) => number; decimals: boolean }> = {
  count: { unit: '', toApi: (n) => n, fromApi: (n) => n, decimals: false },
  vcpu: { unit: 'vCPUs', toApi: (n) => n, fromApi: (n) => n, decimals: true },
  mb: { unit: 'MiB', toApi: (n) => n, fromApi: (n) => n, decimals: false },
  bytes: { unit: 'MiB', toApi: (n) => n * MIB, fromApi: (n) => Math.round(n / MIB), decimals: false },
  seconds: { unit: 'seconds', toApi: (n) => n, fromApi: (n) => n, decimals: false },
  per_minute: { unit: 'per minute', toApi: (n) => n, fromApi: (n) => n, decimals: false },
};

/**
 * Every limit with the plan's value beside it and the override, if any. An override replaces the
 * plan's value for this org only; clearing it returns the limit to the plan's (and follows later
 * edits of the plan). Each row is its own small form: Enter sets that limit.
 */
export function QuotasCard({ orgId, billing, quotas }: { orgId: string; billing: BillingResponse; quotas: Quota[] }) {
  return (
    <Card data-testid="tenant-quotas">
      <CardHeader
        title="Quotas"
        description="Override a limit for this org only; clear the override to follow the plan again. Checked at the next create, start or request."
      />
      <Table>
        <THead>
          <TR>
            <TH>Limit</TH>
            <TH className="text-right">Plan</TH>
            <TH className="max-md:hidden">In use</TH>
            <TH>Override</TH>
          </TR>
        </THead>
        <TBody>
          {quotas.map((q) => (
            <QuotaRow key={q.name} orgId={orgId} quota={q} planValue={billing.plan?.limits[q.name]} />
          ))}
        </TBody>
      </Table>
    </Card>
  );
}

function QuotaRow({ orgId, quota: q, planValue }: { orgId: string; quota: Quota; planValue: number | undefined }) {
  const refresh = useRefreshTenant(orgId);
  const spec = INPUT[q.unit];
  const overridden = q.source === 'override';
  const form = useApiForm({
    fields: [q.name],
    onSuccess: async () => {
      toast.success(`${q.label} saved`);
      await refresh();
    },
  });
  const send = (value: number) => ({ path: `/api/admin/orgs/${orgId}/limits`, method: 'PATCH' as const, body: { [q.name]: value } });
  const error = form.fieldErrors[q.name] ?? form.formError ?? undefined;
  const [clearing, setClearing] = React.useState(false);
  async function clear() {
    setClearing(true);
    form.reset();
    try {
      await api(`/api/admin/orgs/${orgId}/limits`, { method: 'PATCH', body: { [q.name]: null } });
      toast.success(`${q.label} follows the plan again`);
      await refresh();
    } catch (err) {
      form.setFormError(errorMessage(err));
    } finally {
      setClearing(false);
    }
  }
  const inputId = `quota-${q.name}`;
  return (
    <TR data-testid={`tenant-quota-${q.name}`}>
      <TD className="min-w-36">
        <label htmlFor={inputId} className="font-medium text-zinc-900">
          {q.label}
        </label>
        <div className="text-xs text-zinc-500">per {q.scope === 'api_key' ? 'API key' : q.scope}</div>
      </TD>
      <TD className="text-right whitespace-nowrap" data-testid="quota-plan-value">
        {planValue === undefined ? '—' : formatQuota(q.unit, planValue)}
      </TD>
      <TD className="whitespace-nowrap text-zinc-500 max-md:hidden">{formatQuota(q.unit, q.used)}</TD>
      <TD className="min-w-64">
        <form
          noValidate
          key={`${q.limit}-${q.source}`}
          className="flex flex-wrap items-center gap-2"
          onSubmit={form.submit((data) => {
            const raw = String(data.get('value') ?? '').trim();
            const n = Number(raw);
            if (raw === '' || !Number.isFinite(n) || n < 0 || (!spec.decimals && !Number.isInteger(n))) {
              return { errors: { [q.name]: spec.decimals ? 'Enter a number, e.g. 2 or 0.5' : 'Enter a whole number' } };
            }
            return send(spec.toApi(n));
          })}
        >
          <Input
            id={inputId}
            name="value"
            inputMode={spec.decimals ? 'decimal' : 'numeric'}
            defaultValue={overridden ? String(spec.fromApi(q.limit)) : ''}
            placeholder={planValue === undefined ? '' : String(spec.fromApi(planValue))}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? `${inputId}-error` : undefined}
            className="w-28"
          />
          {spec.unit ? <span className="text-xs text-zinc-500">{spec.unit}</span> : null}
          <Button type="submit" size="sm" variant="outline" pending={form.pending}>
            Set
          </Button>
          {overridden ? (
            <>
              <Badge tone="accent">override</Badge>
              <Button
                type="button"
                size="sm"
                variant="ghost"
                disabled={form.pending}
                pending={clearing}
                onClick={clear}
              >
                Clear override
              </Button>
            </>
          ) : null}
          {error ? (
            <p id={`${inputId}-error`} role="alert" className="w-full text-xs font-medium text-red-600">
              {error}
            </p>
          ) : null}
        </form>
      </TD>
    </TR>
  );
}
