import { Badge } from '@/components/ui/badge';
import { Card, CardBody, CardHeader } from '@/components/ui/card';
import { usd } from '@/lib/billing/money';
import type { BillingResponse } from '@/lib/client/billing-types';
import { PaymentSlot } from './payment-slot';

const RATES: Array<[keyof NonNullable<BillingResponse['plan']>['rates'], string]> = [
  ['vcpuHourMicros', 'per vCPU-hour (running)'],
  ['memoryGibHourMicros', 'per GiB-hour of memory (running)'],
  ['pausedGibHourMicros', 'per GiB-hour of memory (paused)'],
  ['storageGibHourMicros', 'per GiB-hour of storage (stopped sandboxes, snapshots)'],
  ['activeCpuHourMicros', 'per hour of CPU time used'],
];

/** The org's plan: price, included credit, the rates its usage is priced at. */
export function PlanCard({ billing }: { billing: BillingResponse }) {
  const plan = billing.plan;
  return (
    <Card data-testid="plan-card">
      <CardHeader
        title={
          <span className="flex items-center gap-2">
            {plan?.name ?? 'No plan'} plan {plan?.custom ? <Badge tone="accent">Custom</Badge> : null}
          </span>
        }
        description={plan ? `${usd(plan.priceMicros)} a month, with ${usd(plan.monthlyCreditMicros)} of credit each month (unused credit lapses at the month’s end).` : undefined}
      />
      <CardBody className="grid gap-4">
        {plan ? (
          <dl className="grid gap-x-6 gap-y-1 text-sm sm:grid-cols-2">
            {RATES.filter(([k]) => k !== 'activeCpuHourMicros' || plan.rates[k] > 0).map(([k, label]) => (
              <div key={k} className="flex justify-between gap-3 border-b border-zinc-100 py-1">
                <dt className="text-zinc-500">{label}</dt>
                <dd className="font-medium text-zinc-900 tabular-nums">{usd(plan.rates[k])}</dd>
              </div>
            ))}
          </dl>
        ) : null}
        <PaymentSlot billing={billing} />
      </CardBody>
    </Card>
  );
}
