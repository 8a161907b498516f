import { Badge } from '@/components/ui/badge';
import { Card, CardBody, CardHeader } from '@/components/ui/card';
import { usd } from '@/lib/billing/money';
import type { BillingResponse } from '@/lib/client/billing-types';
import { formatDateTime, formatRelative } from '@/lib/client/format';
import { UsageBar } from './usage-bar';

const KIND: Record<string, string> = { monthly: 'Monthly', admin: 'Granted', promo: 'Promo' };

/** The balance and the credits it is made of, in the order usage spends them (earliest expiry first). */
export function BalanceCard({ billing }: { billing: BillingResponse }) {
  return (
    <Card data-testid="balance-card">
      <CardHeader title="Credit" description="Usage is paid from the credit that expires first." />
      <CardBody className="grid gap-4">
        <p className="flex items-baseline gap-2">
          <span className="text-2xl font-semibold text-zinc-900 tabular-nums" data-testid="balance">
            {usd(billing.balanceMicros)}
          </span>
          <span className="text-sm text-zinc-500">left</span>
        </p>
        {billing.credits.length === 0 ? (
          <p className="text-sm text-zinc-500">No credit right now.</p>
        ) : (
          <ul className="grid gap-3">
            {billing.credits.map((c) => (
              <li key={c.id} className="grid gap-1.5">
                <div className="flex flex-wrap items-center justify-between gap-2 text-sm">
                  <span className="flex items-center gap-2">
                    <Badge>{KIND[c.kind]}</Badge>
                    <span className="text-zinc-700">{c.reason}</span>
                  </span>
                  <span className="text-zinc-500 tabular-nums">
                    {usd(c.remainingMicros)} of {usd(c.amountMicros)} ·{' '}
                    <span title={formatDateTime(c.expiresAt)}>{c.expiresAt ? `expires ${formatRelative(c.expiresAt)}` : 'never expires'}</span>
                  </span>
                </div>
                <UsageBar used={c.amountMicros - c.remainingMicros} limit={c.amountMicros} label={`${c.reason}: ${usd(c.amountMicros - c.remainingMicros)} used`} />
              </li>
            ))}
          </ul>
        )}
        {billing.uncoveredMicros > 0 ? (
          <p className="text-sm text-amber-800">{usd(billing.uncoveredMicros)} of usage was not covered by credit{billing.payment.hasPaymentMethod ? ' and is invoiced' : ''}.</p>
        ) : null}
      </CardBody>
    </Card>
  );
}
