'use client';

import * as React from 'react';
import { toast } from 'sonner';
import { Money } from '@/components/usage/money';
import { Button } from '@/components/ui/button';
import { Card, CardBody, CardHeader } from '@/components/ui/card';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { Field, FormError } from '@/components/ui/field';
import { Select } from '@/components/ui/input';
import { Skeleton } from '@/components/ui/spinner';
import { usd } from '@/lib/billing/money';
import { api, errorMessage } from '@/lib/client/api';
import type { BillingResponse } from '@/lib/client/billing-types';
import { usePlans, useRefreshTenant } from './use-tenant';

/** The org's plan, and moving it to another: the public plans and the custom ones made for this org. */
export function PlanCard({ orgId, billing }: { orgId: string; billing: BillingResponse }) {
  const plans = usePlans();
  const refresh = useRefreshTenant(orgId);
  const current = billing.plan;
  const [choice, setChoice] = React.useState(current?.id ?? '');
  const [confirming, setConfirming] = React.useState(false);
  const offered = (plans.data?.plans ?? []).filter((p) => !p.orgId || p.orgId === orgId);
  const next = offered.find((p) => p.id === choice);

  return (
    <Card data-testid="tenant-plan">
      <CardHeader title="Plan" description="Limits change at once; usage is priced with the new rates from now. The new monthly credit starts next month." />
      <CardBody className="grid gap-4">
        {current ? (
          <dl className="grid grid-cols-2 gap-x-4 gap-y-1 text-sm sm:grid-cols-4">
            <dt className="text-zinc-500">Plan</dt>
            <dd className="font-medium text-zinc-900">{current.name}</dd>
            <dt className="text-zinc-500">Price</dt>
            <dd>
              <Money micros={current.priceMicros} />/month
            </dd>
            <dt className="text-zinc-500">Monthly credit</dt>
            <dd>
              <Money micros={current.monthlyCreditMicros} />
            </dd>
            <dt className="text-zinc-500">vCPU-hour</dt>
            {/* Rates keep every digit ($0.0504): rounded to a cent they would read as another price. */}
            <dd className="tabular-nums">{usd(current.rates.vcpuHourMicros)}</dd>
          </dl>
        ) : (
          <FormError message="This org's plan no longer exists: it runs on the default limits. Choose a plan." />
        )}
        {plans.isPending ? <Skeleton className="h-9 w-64" /> : null}
        {plans.isError ? <FormError message={errorMessage(plans.error)} /> : null}
        {plans.data ? (
          <form
            className="flex flex-wrap items-end gap-2"
            onSubmit={(e) => {
              e.preventDefault();
              if (next && next.id !== current?.id) setConfirming(true);
            }}
          >
            <Field label="Move to plan" className="min-w-56 flex-1 sm:flex-none">
              <Select value={choice} onChange={(e) => setChoice(e.target.value)}>
                {offered.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name} ({p.id}){p.orgId ? ' · made for this org' : p.custom ? ' · custom' : ''}
                  </option>
                ))}
              </Select>
            </Field>
            <Button type="submit" variant="outline" disabled={!next || next.id === current?.id}>
              Change plan
            </Button>
          </form>
        ) : null}
      </CardBody>
      <ConfirmDialog
        open={confirming}
        onOpenChange={setConfirming}
        destructive={false}
        title={`Move to ${next?.name ?? 'this plan'}?`}
        description="Its limits apply at once (running sandboxes keep running) and usage from now on is priced with its rates. This month's credit stays as granted; the plan's own credit starts next month. Recorded in the org's audit log."
        confirmLabel="Change plan"
        onConfirm={async () => {
          await api(`/api/admin/orgs/${orgId}/plan`, { method: 'POST', body: { planId: choice } });
          toast.success(`Moved to ${next?.name}`);
          await refresh();
        }}
      />
    </Card>
  );
}
