'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { ChevronLeft, ChevronRight, Info } from 'lucide-react';
import Link from 'next/link';
import * as React from 'react';
import { Money } from '@/components/usage/money';
import { Button } from '@/components/ui/button';
import { Card, CardBody, CardHeader } from '@/components/ui/card';
import { FormError } from '@/components/ui/field';
import { Input, Label } from '@/components/ui/input';
import { Skeleton } from '@/components/ui/spinner';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import type { Revenue } from '@/lib/client/admin-types';
import { api, errorMessage } from '@/lib/client/api';
import { formatMoney } from '@/lib/client/money';
import { RevenueChart } from './revenue-chart';

const shift = (month: string, by: number) => {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y!, m! - 1 + by, 1)).toISOString().slice(0, 7);
};

function Stat({ label, micros, hint, testId }: { label: string; micros: number; hint: string; testId: string }) {
  return (
    <Card className="grid gap-1 p-4">
      <span className="text-xs font-medium tracking-wide text-zinc-500 uppercase">{label}</span>
      <Money micros={micros} className="text-xl font-semibold text-zinc-900" data-testid={testId} />
      <span className="text-xs text-zinc-500">{hint}</span>
    </Card>
  );
}

/** A month of revenue: metered cost, how credit paid for it, credit granted, and subscriptions when they exist. */
export function RevenueView() {
  const thisMonth = new Date().toISOString().slice(0, 7);
  const [month, setMonth] = React.useState(thisMonth);
  const revenue = useQuery({
    queryKey: ['admin-revenue', month],
    queryFn: ({ signal }) => api<Revenue>(`/api/admin/revenue?month=${month}`, { signal }),
    placeholderData: keepPreviousData,
  });
  const r = revenue.data;
  const granted = r ? r.totals.grantedMicros.monthly + r.totals.grantedMicros.admin + r.totals.grantedMicros.promo : 0;
  const active = r?.days.filter((d) => d.costMicros > 0 || (d.subscriptionMicros ?? 0) > 0) ?? [];

  return (
    <div className="grid grid-cols-1 gap-6" aria-busy={revenue.isFetching || undefined}>
      <div className="flex flex-wrap items-end gap-2">
        <Button variant="outline" size="icon" aria-label="Previous month" onClick={() => setMonth((m) => shift(m, -1))}>
          <ChevronLeft />
        </Button>
        <div className="grid gap-1">
          <Label htmlFor="revenue-month">Month (UTC)</Label>
          <Input id="revenue-month" type="month" value={month} max={thisMonth} onChange={(e) => /^\d{4}-\d\d$/.test(e.target.value) && setMonth(e.target.value)} className="w-44" />
        </div>
        <Button variant="outline" size="icon" aria-label="Next month" disabled={month >= thisMonth} onClick={() => setMonth((m) => shift(m, 1))}>
          <ChevronRight />
        </Button>
      </div>
      {revenue.isError ? <FormError message={errorMessage(revenue.error)} /> : null}
      {!r && revenue.isPending ? <Skeleton className="h-80 w-full" /> : null}
      {r ? (
        <>
          <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-4">
            <Stat label="Usage revenue" micros={r.totals.costMicros} hint="Metered cost at the plans' rates" testId="revenue-cost" />
            <Stat label="Credits used" micros={r.totals.creditMicros} hint="The part of it credit paid" testId="revenue-credits-used" />
            <Stat label="Not covered" micros={r.totals.uncoveredMicros} hint="Billable once payments exist" testId="revenue-uncovered" />
            <Stat label="Credit granted" micros={granted} hint={`Plan ${formatMoney(r.totals.grantedMicros.monthly)}, admin ${formatMoney(r.totals.grantedMicros.admin)}, promo ${formatMoney(r.totals.grantedMicros.promo)}`} testId="revenue-granted" />
          </div>
          <div role="note" className="flex items-start gap-2 rounded-md border border-zinc-200 bg-zinc-50 px-3 py-2 text-sm text-zinc-600" data-testid="revenue-subscriptions">
            <Info className="mt-0.5 size-4 shrink-0 text-zinc-400" aria-hidden />
            {r.subscriptions.available ? (
              <span>
                Subscriptions paid this month: <Money micros={r.subscriptions.totalMicros} className="font-medium text-zinc-900" /> (from invoices).
              </span>
            ) : (
              <span>{r.subscriptions.reason}</span>
            )}
          </div>
          <RevenueChart revenue={r} />
          <div className="grid grid-cols-1 gap-6 lg:grid-cols-2">
            <Card>
              <CardHeader title="Days with usage" description="The chart's figures." />
              {active.length === 0 ? (
                <CardBody className="text-sm text-zinc-500">No metered usage in {r.month}.</CardBody>
              ) : (
                <Table data-testid="revenue-days">
                  <THead>
                    <TR>
                      <TH>Day</TH>
                      <TH className="text-right">Metered</TH>
                      <TH className="text-right">Credit</TH>
                      <TH className="text-right">Not covered</TH>
                    </TR>
                  </THead>
                  <TBody>
                    {active.map((d) => (
                      <TR key={d.day}>
                        <TD className="whitespace-nowrap">{d.day}</TD>
                        <TD className="text-right"><Money micros={d.costMicros} /></TD>
                        <TD className="text-right"><Money micros={d.creditMicros} /></TD>
                        <TD className="text-right"><Money micros={d.uncoveredMicros} /></TD>
                      </TR>
                    ))}
                  </TBody>
                </Table>
              )}
            </Card>
            <Card>
              <CardHeader title="Top organizations" description={`By metered cost in ${r.month}.`} />
              {r.topOrgs.length === 0 ? (
                <CardBody className="text-sm text-zinc-500">Nobody used anything in {r.month}.</CardBody>
              ) : (
                <Table data-testid="revenue-top-orgs">
                  <THead>
                    <TR>
                      <TH>Organization</TH>
                      <TH className="text-right">Metered</TH>
                      <TH className="text-right">Credit</TH>
                    </TR>
                  </THead>
                  <TBody>
                    {r.topOrgs.map((o) => (
                      <TR key={o.id}>
                        <TD>
                          <Link href={`/admin/orgs/${o.id}`} className="hover:underline">{o.name}</Link>
                        </TD>
                        <TD className="text-right"><Money micros={o.costMicros} /></TD>
                        <TD className="text-right"><Money micros={o.creditMicros} /></TD>
                      </TR>
                    ))}
                  </TBody>
                </Table>
              )}
            </Card>
          </div>
        </>
      ) : null}
    </div>
  );
}
