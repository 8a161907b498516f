import { Card, CardBody, CardHeader } from '@/components/ui/card';
import { usd } from '@/lib/billing/money';
import type { BillingResponse } from '@/lib/client/billing-types';
import { UsageBar } from './usage-bar';

const month = (iso: string) => new Intl.DateTimeFormat(undefined, { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(iso));

/** This month's metered cost, where it is heading at today's burn rate, against the spend limit. */
export function PeriodCard({ billing }: { billing: BillingResponse }) {
  const { period, spend } = billing;
  return (
    <Card data-testid="period-card">
      <CardHeader title={`This month (${month(period.start)}, UTC)`} />
      <CardBody className="grid gap-4">
        <dl className="grid grid-cols-2 gap-4 sm:grid-cols-3">
          <div>
            <dt className="text-xs text-zinc-500">Spent so far</dt>
            <dd className="text-lg font-semibold text-zinc-900 tabular-nums" data-testid="spent">
              {usd(period.spentMicros)}
            </dd>
          </div>
          <div>
            <dt className="text-xs text-zinc-500">Projected by month’s end</dt>
            <dd className="text-lg font-semibold text-zinc-900 tabular-nums">{usd(period.projectedMicros)}</dd>
          </div>
          <div>
            <dt className="text-xs text-zinc-500">Running now</dt>
            <dd className="text-lg font-semibold text-zinc-900 tabular-nums">{usd(period.burnRateMicrosPerHour)}/h</dd>
          </div>
        </dl>
        {spend.limitMicros !== null ? (
          <div className="grid gap-1">
            <UsageBar used={period.spentMicros} limit={spend.limitMicros} label={`${usd(period.spentMicros)} of the ${usd(spend.limitMicros)} spend limit`} />
            <p className="text-xs text-zinc-500">
              {usd(period.spentMicros)} of the {usd(spend.limitMicros)} spend limit
              {spend.alertMicros !== null ? ` · alert at ${usd(spend.alertMicros)}` : ''}
            </p>
          </div>
        ) : null}
      </CardBody>
    </Card>
  );
}
