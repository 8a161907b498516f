'use client';

import { useQuery } from '@tanstack/react-query';
import * as React from 'react';
import { toast } from 'sonner';
import { Money } from '@/components/usage/money';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardBody, CardHeader } from '@/components/ui/card';
import { Field, FormError } from '@/components/ui/field';
import { Input, Select } from '@/components/ui/input';
import { TableSkeleton } from '@/components/ui/spinner';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import { parseUsd } from '@/lib/billing/money';
import { api, errorMessage } from '@/lib/client/api';
import type { BillingResponse, Credit } from '@/lib/client/billing-types';
import { formatDateTime } from '@/lib/client/format';
import { formatMoney } from '@/lib/client/money';
import { useApiForm } from '@/lib/client/use-api-form';
import { tenantKeys, useRefreshTenant } from './use-tenant';

type Grant = Omit<Credit, 'remainingMicros'> & { createdAt: string };

/** What a date input means: the start of that day in UTC, which is how expiries are shown. */
const dayStartUtc = (date: string) => `${date}T00:00:00Z`;

/**
 * The balance, a grant form (dollars, a reason, admin or promo, an optional expiry) and the whole
 * ledger, newest first, with what is left of the grants still active.
 */
export function CreditsCard({ orgId, billing }: { orgId: string; billing: BillingResponse }) {
  const refresh = useRefreshTenant(orgId);
  const ledger = useQuery({
    queryKey: tenantKeys.credits(orgId),
    queryFn: ({ signal }) => api<{ credits: Grant[] }>(`/api/admin/orgs/${orgId}/credits`, { signal }),
  });
  const remaining = new Map(billing.credits.map((c) => [c.id, c.remainingMicros]));
  const formRef = React.useRef<HTMLFormElement>(null);
  const form = useApiForm<{ credit: Grant }>({
    fields: ['amountMicros', 'reason', 'kind', 'expiresAt'],
    onSuccess: async (res) => {
      toast.success(`Granted ${formatMoney(res.credit.amountMicros)} of credit`);
      formRef.current?.reset();
      await refresh();
    },
  });
  const today = new Date().toISOString().slice(0, 10);

  return (
    <Card data-testid="tenant-credits">
      <CardHeader
        title="Credit"
        description={
          <>
            Balance <Money micros={billing.balanceMicros} className="font-medium text-zinc-900" data-testid="tenant-balance" />, this month's spend{' '}
            <Money micros={billing.period.spentMicros} />
            {billing.uncoveredMicros > 0 ? (
              <>
                , not covered by credit <Money micros={billing.uncoveredMicros} className="text-red-700" />
              </>
            ) : null}
            .
          </>
        }
      />
      <CardBody className="grid gap-5">
        <form
          ref={formRef}
          noValidate
          className="grid items-start gap-3 sm:grid-cols-[8rem_1fr_7rem_10rem_auto]"
          onSubmit={form.submit((data) => {
            const errors: Record<string, string> = {};
            const amount = parseUsd(String(data.get('amount') ?? ''));
            if (amount === null || amount < 1) errors.amountMicros = 'Enter an amount in dollars, e.g. 25 or 12.50';
            const reason = String(data.get('reason') ?? '').trim();
            if (!reason) errors.reason = 'Say why: the org’s owners see it';
            const expires = String(data.get('expires') ?? '');
            if (expires && expires <= today) errors.expiresAt = 'Pick a day after today';
            if (Object.keys(errors).length) return { errors };
            return {
              path: `/api/admin/orgs/${orgId}/credits`,
              method: 'POST',
              body: { amountMicros: amount, reason, kind: String(data.get('kind')), ...(expires ? { expiresAt: dayStartUtc(expires) } : {}) },
            };
          })}
        >
          <Field label="Amount ($)" error={form.fieldErrors.amountMicros}>
            <Input name="amount" inputMode="decimal" placeholder="25.00" />
          </Field>
          <Field label="Reason" error={form.fieldErrors.reason}>
            <Input name="reason" maxLength={500} placeholder="Pilot credit, outage refund…" />
          </Field>
          <Field label="Kind" error={form.fieldErrors.kind}>
            <Select name="kind" defaultValue="admin">
              <option value="admin">admin</option>
              <option value="promo">promo</option>
            </Select>
          </Field>
          <Field label="Expires (optional)" error={form.fieldErrors.expiresAt} hint="At 00:00 UTC that day.">
            <Input name="expires" type="date" min={today} />
          </Field>
          <Button type="submit" pending={form.pending} className="sm:mt-6">
            Grant credit
          </Button>
          <div className="sm:col-span-5">
            <FormError message={form.formError} />
          </div>
        </form>
        {ledger.isPending ? <TableSkeleton rows={2} columns={5} /> : null}
        {ledger.isError ? <FormError message={errorMessage(ledger.error)} /> : null}
        {ledger.data && ledger.data.credits.length === 0 ? <p className="text-sm text-zinc-500">No credit granted yet.</p> : null}
        {ledger.data && ledger.data.credits.length > 0 ? (
          <Table data-testid="tenant-ledger">
            <THead>
              <TR>
                <TH>Granted</TH>
                <TH className="text-right">Amount</TH>
                <TH className="text-right">Left</TH>
                <TH>Reason</TH>
                <TH className="max-sm:hidden">Expires</TH>
              </TR>
            </THead>
            <TBody>
              {ledger.data.credits.map((g) => (
                <TR key={g.id}>
                  <TD className="whitespace-nowrap text-zinc-500">
                    {formatDateTime(g.createdAt)}
                    <div className="text-xs">{g.grantedBy}</div>
                  </TD>
                  <TD className="text-right">
                    <Money micros={g.amountMicros} />
                  </TD>
                  <TD className="text-right">{remaining.has(g.id) ? <Money micros={remaining.get(g.id)!} /> : <span className="text-zinc-400">—</span>}</TD>
                  <TD className="min-w-40">
                    <Badge className="mr-1.5">{g.kind}</Badge>
                    {g.reason}
                  </TD>
                  <TD className="whitespace-nowrap text-zinc-500 max-sm:hidden">{g.expiresAt ? formatDateTime(g.expiresAt) : 'never'}</TD>
                </TR>
              ))}
            </TBody>
          </Table>
        ) : null}
      </CardBody>
    </Card>
  );
}
