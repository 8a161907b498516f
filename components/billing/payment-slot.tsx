'use client';

import { CreditCard } from 'lucide-react';
import * as React from 'react';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { FormError } from '@/components/ui/field';
import { usd } from '@/lib/billing/money';
import { api, errorMessage } from '@/lib/client/api';
import type { BillingResponse, Subscription } from '@/lib/client/billing-types';
import { formatDateTime } from '@/lib/client/format';
import { useOrg } from '@/lib/client/org-context';

/**
 * How the org pays, inside the plan card. With Stripe: upgrade through Checkout (or just add a
 * card), and once subscribed, change plan or manage the card in Stripe's portal. Each button
 * asks Warren for a Stripe URL and goes there; Stripe sends people back to this page. In local
 * mode it says how things stand and which variables turn payments on.
 */
export function PaymentSlot({ billing }: { billing: BillingResponse }) {
  const p = billing.payment;
  const covered = p.hasPaymentMethod
    ? 'A payment method is on file: usage beyond your credit is invoiced monthly.'
    : 'No payment method: usage is paid from credit only, and sandboxes stop when it runs out.';
  return (
    <div data-testid="payment-slot" className="grid gap-3 rounded-md border border-zinc-200 bg-zinc-50 px-4 py-3 text-sm text-zinc-600">
      <p className="flex items-start gap-3">
        <CreditCard className="mt-0.5 size-4 shrink-0 text-zinc-400" aria-hidden />
        <span>
          {covered}
          {p.provider === 'stripe' ? null : ' To change plans, ask your platform admin.'}
        </span>
      </p>
      {p.provider === 'stripe' ? (
        <StripeActions billing={billing} />
      ) : (
        <p data-testid="payments-off" className="text-xs text-zinc-500">
          {p.message} Variables: {p.missing.map((v) => <code key={v} className="mx-0.5 rounded bg-zinc-200/70 px-1">{v}</code>)}
        </p>
      )}
    </div>
  );
}

function subscriptionLine(s: Subscription): string {
  const status = s.status === 'past_due' ? 'payment past due' : s.status === 'trialing' ? 'trial' : s.status;
  const until = s.currentPeriodEnd ? `${s.cancelAtPeriodEnd ? 'ends' : 'renews'} ${formatDateTime(s.currentPeriodEnd)}` : '';
  return [status, until].filter(Boolean).join(' · ');
}

function StripeActions({ billing }: { billing: BillingResponse }) {
  const { org, can } = useOrg();
  const p = billing.payment;
  const live = p.subscriptions.find((s) => s.live) ?? null;
  const offered = p.plans.filter((x) => x.id !== billing.plan?.id);
  const [planId, setPlanId] = React.useState(offered[0]?.id ?? '');
  const [busy, setBusy] = React.useState<string | null>(null);
  const [error, setError] = React.useState<string | null>(null);

  /** Asks Warren for a Stripe URL and leaves for it; Stripe brings the person back here. */
  const go = async (what: string, path: string, body: unknown) => {
    setBusy(what);
    setError(null);
    try {
      const { url } = await api<{ url: string }>(path, { method: 'POST', org: org.slug, body });
      window.location.assign(url);
    } catch (err) {
      setError(errorMessage(err));
      setBusy(null);
    }
  };

  return (
    <div className="grid gap-3">
      {live ? (
        <p data-testid="subscription" className="flex flex-wrap items-center gap-2">
          <Badge tone={live.status === 'past_due' ? 'danger' : 'success'}>Subscribed</Badge>
          <span>{subscriptionLine(live)}</span>
        </p>
      ) : null}
      {!can('billing:write') ? (
        <p className="text-xs text-zinc-500">An owner or billing member can change the plan or the payment method.</p>
      ) : live ? (
        <div className="flex flex-wrap gap-2">
          <Button size="sm" pending={busy === 'change'} disabled={!!busy} onClick={() => go('change', '/api/v1/billing/portal', { flow: 'change_plan' })}>
            Change plan
          </Button>
          <Button size="sm" variant="outline" pending={busy === 'manage'} disabled={!!busy} onClick={() => go('manage', '/api/v1/billing/portal', {})}>
            Manage payment
          </Button>
        </div>
      ) : (
        <div className="flex flex-wrap items-end gap-2">
          {offered.length > 0 ? (
            <>
              <label className="grid gap-1 text-xs font-medium text-zinc-700">
                Plan
                <select
                  className="h-8 min-w-0 rounded-md border border-zinc-300 bg-white px-2 text-sm text-zinc-900"
                  value={planId}
                  onChange={(e) => setPlanId(e.target.value)}
                >
                  {offered.map((x) => (
                    <option key={x.id} value={x.id}>
                      {x.name} · {usd(x.priceMicros)}/month
                    </option>
                  ))}
                </select>
              </label>
              <Button size="sm" pending={busy === 'upgrade'} disabled={!!busy || !planId} onClick={() => go('upgrade', '/api/v1/billing/checkout', { planId })}>
                Upgrade
              </Button>
            </>
          ) : null}
          <Button size="sm" variant="outline" pending={busy === 'card'} disabled={!!busy} onClick={() => go('card', '/api/v1/billing/checkout', { mode: 'setup' })}>
            Add a card
          </Button>
          {p.subscriptions.length > 0 ? (
            <Button size="sm" variant="ghost" pending={busy === 'manage'} disabled={!!busy} onClick={() => go('manage', '/api/v1/billing/portal', {})}>
              Manage payment
            </Button>
          ) : null}
        </div>
      )}
      <FormError message={error} />
    </div>
  );
}
