'use client';

import Link from 'next/link';
import { Card, CardBody, CardHeader } from '@/components/ui/card';
import { FormError } from '@/components/ui/field';
import { TableSkeleton } from '@/components/ui/spinner';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import { Money } from '@/components/usage/money';
import { useSandboxUsage } from '@/components/usage/use-usage';
import { errorMessage } from '@/lib/client/api';
import { formatHours, formatRate } from '@/lib/client/money';
import { useOrg } from '@/lib/client/org-context';
import type { Sandbox } from '@/lib/client/sandbox-types';
import { KIND_COLORS, KIND_LABELS, USAGE_KINDS, type UsageKind, type UsageSummary } from '@/lib/client/usage-types';
import { isMetered } from '../sandbox-cost';

/** The quantity each kind is metered in, from the totals. */
function quantity(kind: UsageKind, t: UsageSummary['totals']): string {
  switch (kind) {
    case 'compute':
      return `${formatHours(t.vcpuHours)} vCPU-h · ${formatHours(t.memoryGibHours)} GiB-h`;
    case 'paused':
      return `${formatHours(t.pausedGibHours)} GiB-h`;
    case 'storage':
      return `${formatHours(t.storageGibHours)} GiB-h`;
    case 'active_cpu':
      return `${formatHours(t.activeCpuHours)} CPU-h`;
  }
}

/** This sandbox's cost by kind since it was created, refreshing while it runs. */
export function UsageCard({ sandbox }: { sandbox: Sandbox }) {
  const { org, can } = useOrg();
  const usage = useSandboxUsage(sandbox.id, isMetered(sandbox));
  if (!can('usage:read')) return null;
  const data = usage.data;
  return (
    <Card data-testid="sandbox-usage-card">
      <CardHeader
        title="Cost and usage"
        description={
          data?.burnRateMicrosPerHour
            ? `Since it was created; ${formatRate(data.burnRateMicrosPerHour)} right now.`
            : 'Since it was created.'
        }
        actions={
          <Link href={`/${org.slug}/usage`} className="text-sm text-indigo-600 hover:underline">
            All usage
          </Link>
        }
      />
      {usage.isPending ? <TableSkeleton rows={4} columns={3} /> : null}
      {usage.isError && !data ? (
        <CardBody>
          <FormError message={errorMessage(usage.error)} onRetry={() => void usage.refetch()} />
        </CardBody>
      ) : null}
      {data ? (
        <Table>
          <THead>
            <TR>
              <TH>Kind</TH>
              <TH className="max-sm:hidden">Metered</TH>
              <TH className="text-right">Cost</TH>
            </TR>
          </THead>
          <TBody>
            {USAGE_KINDS.map((k) => (
              <TR key={k} data-testid={`sandbox-usage-${k}`}>
                <TD>
                  <span className="flex items-center gap-2">
                    <span aria-hidden className="size-2.5 rounded-sm" style={{ background: KIND_COLORS[k] }} />
                    {KIND_LABELS[k]}
                  </span>
                </TD>
                <TD className="text-zinc-500 tabular-nums max-sm:hidden">{quantity(k, data.totals)}</TD>
                <TD className="text-right">
                  <Money micros={data.totals.costByKind[k]} />
                </TD>
              </TR>
            ))}
            <TR>
              <TD className="font-medium text-zinc-900">Total</TD>
              <TD className="max-sm:hidden" />
              <TD className="text-right">
                <Money
                  micros={data.totals.costMicros}
                  className="font-semibold text-zinc-900"
                  data-testid="sandbox-usage-total"
                />
              </TD>
            </TR>
          </TBody>
        </Table>
      ) : null}
    </Card>
  );
}
