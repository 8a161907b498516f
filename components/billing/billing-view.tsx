'use client';

import { useQuery } from '@tanstack/react-query';
import { Card } from '@/components/ui/card';
import { FormError } from '@/components/ui/field';
import { TableSkeleton } from '@/components/ui/spinner';
import { api, errorMessage } from '@/lib/client/api';
import type { BillingResponse } from '@/lib/client/billing-types';
import { useOrg } from '@/lib/client/org-context';
import { BalanceCard } from './balance-card';
import { PeriodCard } from './period-card';
import { PlanCard } from './plan-card';
import { SpendLimitForm } from './spend-limit-form';

/** The Billing page: plan and price, credit, this month, the spend limit form. */
export function BillingView() {
  const { org } = useOrg();
  const q = useQuery({
    queryKey: ['billing', org.slug],
    queryFn: ({ signal }) => api<BillingResponse>('/api/v1/billing', { org: org.slug, signal }),
    refetchInterval: 30_000,
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
  if (q.isError) return <FormError message={errorMessage(q.error)} />;
  const billing = q.data;
  return (
    <div className="grid gap-6">
      <PlanCard billing={billing} />
      <div className="grid gap-6 lg:grid-cols-2">
        <BalanceCard billing={billing} />
        <PeriodCard billing={billing} />
      </div>
      <SpendLimitForm billing={billing} />
    </div>
  );
}
