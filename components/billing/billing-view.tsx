'use client';

import { useQuery } from '@tanstack/react-query';
import { CheckCircle2, Info } from 'lucide-react';
import { useSearchParams } from 'next/navigation';
import { Card } from '@/components/ui/card';
import { FormError } from '@/components/ui/field';
import { TableSkeleton } from '@/components/ui/spinner';
import { api, errorMessage } from '@/lib/client/api';
import type { BillingResponse } from '@/lib/client/billing-types';
import { useOrg } from '@/lib/client/org-context';
import { BalanceCard } from './balance-card';
import { InvoicesCard } from './invoices-card';
import { PeriodCard } from './period-card';
import { PlanCard } from './plan-card';
import { SpendLimitForm } from './spend-limit-form';

/**
 * The Billing page: plan and payment, credit, this month, the spend limit form, invoices. Back
 * from Stripe Checkout (`?checkout=success`), the plan changes when Stripe's webhook arrives,
 * which may be a moment after the redirect: until then the page says so and looks every 2 s.
 */
export function BillingView() {
  const { org } = useOrg();
  const returned = useSearchParams().get('checkout');
  const back = returned === 'success' || returned === 'card';
  const q = useQuery({
    queryKey: ['billing', org.slug],
    queryFn: ({ signal }) => api<BillingResponse>('/api/v1/billing', { org: org.slug, signal }),
    refetchInterval: (query) => (back && !settled(query.state.data) ? 2_000 : 30_000),
  });
  if (q.isPending) {
    return (
      <div className="grid gap-6">
        {[0, 1, 2].map((i) => (
          <Card key={i}>
            <TableSkeleton rows={3} columns={2} />
          </Card>
        ))}
      </div>
    );
  }
  if (q.isError) return <FormError message={errorMessage(q.error)} onRetry={() => void q.refetch()} />;
  const billing = q.data;
  const waiting = back && !settled(billing);
  return (
    <div className="grid gap-6">
      {back ? (
        <p role="status" data-testid="checkout-return" className="flex items-start gap-2 rounded-md border border-emerald-200 bg-emerald-50 px-4 py-3 text-sm text-emerald-900">
          <CheckCircle2 className="mt-0.5 size-4 shrink-0" aria-hidden />
          {waiting
            ? 'Done at Stripe. This page updates as soon as Stripe confirms it…'
            : returned === 'card'
              ? 'Your card is saved: usage beyond your credit is invoiced monthly.'
              : `Thank you: you are on the ${billing.plan?.name ?? 'new'} plan.`}
        </p>
      ) : returned === 'cancelled' ? (
        <p role="status" className="flex items-start gap-2 rounded-md border border-zinc-200 bg-zinc-50 px-4 py-3 text-sm text-zinc-700">
          <Info className="mt-0.5 size-4 shrink-0" aria-hidden />
          Checkout was cancelled; nothing was charged.
        </p>
      ) : null}
      <PlanCard billing={billing} />
      <div className="grid gap-6 lg:grid-cols-2">
        <BalanceCard billing={billing} />
        <PeriodCard billing={billing} />
      </div>
      <SpendLimitForm billing={billing} />
      <InvoicesCard enabled={billing.payment.provider === 'stripe'} fast={waiting} />
    </div>
  );
}

/** Stripe has confirmed what Checkout started: a live subscription (or, for a card alone, the payment method). */
const settled = (b: BillingResponse | undefined) => !!b && (b.payment.subscriptions.some((s) => s.live) || b.payment.hasPaymentMethod);
