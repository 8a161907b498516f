'use client';

import type * as React from 'react';
import { Card } from '@/components/ui/card';
import { Skeleton } from '@/components/ui/spinner';
import { exactMoney, formatHours, formatRate, isRounded, projectMonthEnd } from '@/lib/client/money';
import type { UsageSummary } from '@/lib/client/usage-types';
import { Money } from './money';

/** Totals for the period; for the current month also where it is heading at today's burn rate. */
export function UsageCards({ summary, currentMonth }: { summary: UsageSummary; currentMonth: boolean }) {
  const t = summary.totals;
  const burn = summary.burnRateMicrosPerHour;
  return (
    <div className="grid grid-cols-2 gap-3 lg:grid-cols-3" data-testid="usage-cards">
      <Stat label="Cost" testId="usage-cost">
        <Money micros={t.costMicros} className="text-2xl font-semibold text-zinc-900" data-testid="usage-total-cost" />
        {isRounded(t.costMicros) ? (
          <Note>{exactMoney(t.costMicros)} exactly</Note>
        ) : (
          <Note>{periodLabel(summary)}</Note>
        )}
      </Stat>
      {currentMonth ? (
        <Stat label="Projected month-end" testId="usage-projected">
          <Money
            micros={projectMonthEnd(t.costMicros, burn, new Date())}
            className="text-2xl font-semibold text-zinc-900"
          />
          <Note>{burn ? `if ${formatRate(burn)} continues` : 'nothing is running now'}</Note>
        </Stat>
      ) : (
        <Stat label="Burn rate now" testId="usage-burn-rate">
          <span className="text-2xl font-semibold text-zinc-900 tabular-nums">{formatRate(burn)}</span>
          <Note>what is running, paused or stored now</Note>
        </Stat>
      )}
      <Stat label="vCPU-hours" testId="usage-vcpu-hours">
        <Quantity value={t.vcpuHours} />
        <Note>allocated while running</Note>
      </Stat>
      <Stat label="Memory GiB-hours" testId="usage-memory-hours">
        <Quantity value={t.memoryGibHours} />
        <Note>
          {t.pausedGibHours ? `+ ${formatHours(t.pausedGibHours)} GiB-h while paused` : 'allocated while running'}
        </Note>
      </Stat>
      <Stat label="Storage GiB-hours" testId="usage-storage-hours">
        <Quantity value={t.storageGibHours} />
        <Note>stopped sandboxes and snapshots</Note>
      </Stat>
      <Stat label="Active CPU hours" testId="usage-active-cpu-hours">
        <Quantity value={t.activeCpuHours} />
        <Note>CPU time actually used</Note>
      </Stat>
    </div>
  );
}

const dayFmt = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });

function periodLabel(s: UsageSummary): string {
  // `to` is exclusive and whole-hour: the last day shown is the one its last hour falls in.
  const last = new Date(new Date(s.to).getTime() - 1);
  return `${dayFmt.format(new Date(s.from))} – ${dayFmt.format(last)} (UTC)`;
}

function Stat({ label, testId, children }: { label: string; testId: string; children: React.ReactNode }) {
  return (
    <Card className="grid content-start gap-1 px-4 py-3" data-testid={testId}>
      <h3 className="text-xs font-medium text-zinc-500">{label}</h3>
      {children}
    </Card>
  );
}

function Quantity({ value }: { value: number }) {
  return <span className="text-2xl font-semibold text-zinc-900 tabular-nums">{formatHours(value)}</span>;
}

function Note({ children }: { children: React.ReactNode }) {
  return <p className="text-xs text-zinc-500">{children}</p>;
}

export function UsageCardsSkeleton() {
  return (
    <div className="grid grid-cols-2 gap-3 lg:grid-cols-3" role="status" aria-busy="true" aria-label="Loading totals">
      {Array.from({ length: 6 }, (_, i) => (
        <Card key={i} className="grid gap-2 px-4 py-3">
          <Skeleton className="h-3 w-24" />
          <Skeleton className="h-7 w-20" />
          <Skeleton className="h-3 w-32" />
        </Card>
      ))}
    </div>
  );
}
