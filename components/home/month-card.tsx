'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { UsageBar } from '@/components/billing/usage-bar';
import { Card, CardBody, CardHeader } from '@/components/ui/card';
import { FormError } from '@/components/ui/field';
import { Spinner } from '@/components/ui/spinner';
import { Money } from '@/components/usage/money';
import { api, errorMessage } from '@/lib/client/api';
import type { QuotasResponse } from '@/lib/client/billing-types';
import { formatRate } from '@/lib/client/money';
import { useOrg } from '@/lib/client/org-context';
import { formatQuota } from '@/lib/client/quota-format';
import type { UsageSummary } from '@/lib/client/usage-types';

/** The org-wide limits that fill up as sandboxes run: the ones worth a glance on the home page. */
const SHOWN = ['maxSandboxes', 'maxRunningCpu', 'maxRunningMemoryMb', 'maxSnapshotBytes'];

/** This month's cost so far (metered, lib/usage) with the current burn rate, and the org's quota use. */
export function MonthCard() {
  const { org } = useOrg();
  const usage = useQuery({
    queryKey: ['home-usage', org.slug],
    queryFn: ({ signal }) => api<UsageSummary>('/api/v1/usage?granularity=month&groupBy=kind', { org: org.slug, signal }),
    refetchInterval: 30_000,
  });
  const quotas = useQuery({
    queryKey: ['quotas', org.slug],
    queryFn: ({ signal }) => api<QuotasResponse>('/api/v1/quotas', { org: org.slug, signal }),
    refetchInterval: 15_000,
  });
  const month = new Intl.DateTimeFormat(undefined, { month: 'long', timeZone: 'UTC' }).format(new Date());
  return (
    <Card data-testid="home-month">
      <CardHeader
        title={`${month} so far`}
        actions={
          <Link href={`/${org.slug}/usage`} className="text-sm text-indigo-700 hover:underline">
            Usage
          </Link>
        }
      />
      <CardBody className="grid gap-5">
        {usage.isPending ? <Spinner label="Loading cost" /> : null}
        {usage.isError ? <FormError message={errorMessage(usage.error)} onRetry={() => void usage.refetch()} /> : null}
        {usage.data ? (
          <div className="grid gap-1">
            <Money micros={usage.data.totals.costMicros} className="text-2xl font-semibold text-zinc-900" data-testid="home-cost" />
            <p className="text-xs text-zinc-500">
              {usage.data.burnRateMicrosPerHour > 0
                ? `Running now at ${formatRate(usage.data.burnRateMicrosPerHour)}.`
                : 'Nothing is being metered right now.'}
            </p>
          </div>
        ) : null}
        {quotas.isError ? <FormError message={errorMessage(quotas.error)} onRetry={() => void quotas.refetch()} /> : null}
        {quotas.data ? (
          <ul className="grid gap-3" aria-label="Quota use" data-testid="home-quotas">
            {quotas.data.quotas
              .filter((q) => SHOWN.includes(q.name))
              .map((q) => (
                <li key={q.name} className="grid gap-1 text-sm">
                  <div className="flex justify-between gap-2">
                    <span className="text-zinc-700">{q.label}</span>
                    <span className="text-zinc-500 tabular-nums">
                      {formatQuota(q.unit, q.used)} of {formatQuota(q.unit, q.limit)}
                    </span>
                  </div>
                  <UsageBar used={q.used} limit={q.limit} label={q.label} />
                </li>
              ))}
          </ul>
        ) : null}
        <Link href={`/${org.slug}/quotas`} className="text-xs text-indigo-700 hover:underline">
          All limits
        </Link>
      </CardBody>
    </Card>
  );
}
