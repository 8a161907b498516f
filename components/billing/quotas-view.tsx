'use client';

import { useQuery } from '@tanstack/react-query';
import { Gauge } from 'lucide-react';
import { Badge } from '@/components/ui/badge';
import { Card, CardHeader } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { FormError } from '@/components/ui/field';
import { TableSkeleton } from '@/components/ui/spinner';
import { api, errorMessage } from '@/lib/client/api';
import type { QuotasResponse } from '@/lib/client/billing-types';
import { useOrg } from '@/lib/client/org-context';
import { formatQuota } from '@/lib/client/quota-format';
import { RaiseLimits } from './raise-limits';
import { UsageBar } from './usage-bar';

const SCOPE: Record<string, string> = { org: 'Whole organization', sandbox: 'Per sandbox', api_key: 'Per API key' };

/** Every limit of the org beside what it uses now, with a bar, and where the limit comes from. */
export function QuotasView() {
  const { org } = useOrg();
  const q = useQuery({
    queryKey: ['quotas', org.slug],
    queryFn: ({ signal }) => api<QuotasResponse>('/api/v1/quotas', { org: org.slug, signal }),
    refetchInterval: 15_000,
  });

  if (q.isPending) {
    return (
      <Card>
        <TableSkeleton rows={8} columns={3} />
      </Card>
    );
  }
  if (q.isError) return <FormError message={errorMessage(q.error)} onRetry={() => void q.refetch()} />;
  const { plan, quotas } = q.data;
  if (quotas.length === 0) return <EmptyState icon={Gauge} title="No limits" description="This organization has no limits set." />;
  const groups = ['org', 'sandbox', 'api_key'].map((scope) => ({ scope, rows: quotas.filter((x) => x.scope === scope) })).filter((g) => g.rows.length);

  return (
    <div className="grid gap-6">
      {groups.map((g) => (
        <Card key={g.scope}>
          <CardHeader title={SCOPE[g.scope]} description={g.scope === 'org' ? `Limits of the ${plan.name} plan, unless overridden for this organization.` : undefined} />
          <ul className="divide-y divide-zinc-100" data-testid={`quotas-${g.scope}`}>
            {g.rows.map((row) => (
              <li key={row.name} className="grid gap-2 px-5 py-3 sm:grid-cols-[1fr_14rem] sm:items-center sm:gap-6" data-testid={`quota-${row.name}`}>
                <div className="flex flex-wrap items-center gap-2">
                  <span className="text-sm font-medium text-zinc-900">{row.label}</span>
                  <Badge tone={row.source === 'override' ? 'accent' : 'neutral'}>{row.source === 'override' ? 'Override' : `${plan.name} plan`}</Badge>
                </div>
                <div className="grid gap-1">
                  <UsageBar used={row.used} limit={row.limit} label={`${row.label}: ${formatQuota(row.unit, row.used)} of ${formatQuota(row.unit, row.limit)}`} />
                  <p className="text-xs text-zinc-500 tabular-nums">
                    <span className="font-medium text-zinc-700">{formatQuota(row.unit, row.used)}</span> of {formatQuota(row.unit, row.limit)}
                  </p>
                </div>
              </li>
            ))}
          </ul>
        </Card>
      ))}
      <RaiseLimits planName={plan.name} />
    </div>
  );
}
