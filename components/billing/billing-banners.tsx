import { AlertTriangle, Ban, CreditCard, PauseCircle } from 'lucide-react';
import Link from 'next/link';
import type * as React from 'react';
import { cn } from '@/components/ui/cn';
import { usd } from '@/lib/billing/money';
import type { BillingStatus } from '@/lib/client/billing-types';
import { formatMicros } from '@/lib/stripe/currency';

// Rendered on the server: a fixed locale and zone, so the text does not depend on its settings.
const when = (iso: string) => `${new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(new Date(iso))} UTC`;

function Banner({ tone, icon: Icon, testId, children }: { tone: 'red' | 'amber'; icon: typeof Ban; testId: string; children: React.ReactNode }) {
  return (
    <div
      role={tone === 'red' ? 'alert' : 'status'}
      data-testid={testId}
      className={cn(
        'flex items-start gap-2 border-b px-4 py-2.5 text-sm',
        tone === 'red' ? 'border-red-200 bg-red-50 text-red-800' : 'border-amber-200 bg-amber-50 text-amber-900',
      )}
    >
      <Icon className="mt-0.5 size-4 shrink-0" aria-hidden />
      <div className="min-w-0">{children}</div>
    </div>
  );
}

/**
 * Why this org cannot run sandboxes (suspended, out of credit, spend limit reached) or that its
 * spend crossed the alert, for every member, above every console page. Rendered by the server
 * with the page, so it is current on each navigation.
 */
export function BillingBanners(props: { status: BillingStatus; slug: string; canBill: boolean }) {
  return (
    <>
      <StandingBanner {...props} />
      <PaymentFailedBanner {...props} />
    </>
  );
}

/** An invoice Stripe could not collect (it retries on its own schedule): beside any other banner. */
function PaymentFailedBanner({ status, slug, canBill }: { status: BillingStatus; slug: string; canBill: boolean }) {
  const f = status.paymentFailed;
  if (!f) return null;
  return (
    <Banner tone="red" icon={CreditCard} testId="banner-payment-failed">
      <strong>Payment failed:</strong> we could not collect {formatMicros(f.amountDueMicros, f.currency)}
      {f.number ? ` for invoice ${f.number}` : ''} on {when(f.failedAt)}. Stripe will try again;{' '}
      {canBill ? (
        <>
          update the payment method on{' '}
          <Link className="font-medium underline" href={`/${slug}/billing`}>
            Billing
          </Link>
          {f.hostedInvoiceUrl ? (
            <>
              {' '}
              or{' '}
              <a className="font-medium underline" href={f.hostedInvoiceUrl} target="_blank" rel="noreferrer noopener">
                pay the invoice now
              </a>
            </>
          ) : null}
          .
        </>
      ) : (
        'an owner or billing member can update the payment method.'
      )}
    </Banner>
  );
}

function StandingBanner({ status, slug, canBill }: { status: BillingStatus; slug: string; canBill: boolean }) {
  const billing = canBill ? (
    <Link className="font-medium underline" href={`/${slug}/billing`}>
      Billing
    </Link>
  ) : (
    'an owner or billing member'
  );
  const stopped = status.hold?.stoppedAt
    ? `Running sandboxes were stopped on ${when(status.hold.stoppedAt)}; their files are kept.`
    : status.hold
      ? `Running sandboxes will be stopped on ${when(status.hold.stopsAt)} (their files are kept).`
      : '';
  if (status.suspended) {
    return (
      <Banner tone="red" icon={Ban} testId="banner-suspended">
        <strong>This organization is suspended{status.suspended.reason ? `: ${status.suspended.reason}` : ''}.</strong> Its sandboxes are stopped and the
        API refuses changes. Contact your platform admin.
      </Banner>
    );
  }
  if (status.blocked === 'spend_limit') {
    return (
      <Banner tone="red" icon={PauseCircle} testId="banner-spend-limit">
        <strong>Spend limit reached:</strong> {usd(status.spentMicros)} of {usd(status.spendLimitMicros ?? 0)} this month. {stopped} Raise the limit on{' '}
        {billing} to start them again.
      </Banner>
    );
  }
  if (status.blocked === 'balance_exhausted') {
    return (
      <Banner tone="red" icon={PauseCircle} testId="banner-balance-exhausted">
        <strong>Out of credit</strong> and no payment method. {stopped} New sandboxes cannot start until credit is added (see {billing}).
      </Banner>
    );
  }
  if (status.alertCrossed) {
    return (
      <Banner tone="amber" icon={AlertTriangle} testId="banner-spend-alert">
        This month’s spend ({usd(status.spentMicros)}) has crossed the alert of {usd(status.spendAlertMicros ?? 0)}
        {status.spendLimitMicros !== null ? `; sandboxes stop at the limit of ${usd(status.spendLimitMicros)}` : ''}. See {billing}.
      </Banner>
    );
  }
  return null;
}
