import { csvCell } from '@/lib/csv';
import type { UsageKind } from '@/db/schema/usage';
import type { Granularity, UsageQuery } from './queries';

/** One (bucket, group, kind) cell in raw units, as the rollups and live pieces give it. */
export type Bucketed = {
  bucket: string;
  group: string;
  kind: UsageKind;
  durationMs: number;
  vcpuMilliMs: number;
  memMibMs: number;
  diskByteMs: number;
  cpuMs: number;
  costMicros: number;
};

/** Quantities as people read them (hours), and money as integer micro-dollars. */
export type UsageAmounts = {
  costMicros: number;
  vcpuHours: number;
  memoryGibHours: number;
  pausedGibHours: number;
  storageGibHours: number;
  activeCpuHours: number;
};

export type UsageSummary = {
  from: string;
  to: string;
  granularity: Granularity;
  groupBy: string;
  currency: 'usd';
  totals: UsageAmounts & { costByKind: Record<UsageKind, number> };
  series: Array<UsageAmounts & { bucket: string; group: string }>;
  groups: Array<UsageAmounts & { group: string; sandbox?: { id: string; state: string; template: string; metadata: Record<string, string>; deleted: boolean } }>;
  /** What the periods open now cost per hour (a month-end projection multiplies it). */
  burnRateMicrosPerHour: number;
};

const HOUR_MS = 3_600_000;
const round6 = (n: number) => Math.round(n * 1e6) / 1e6;
const empty = (): UsageAmounts => ({ costMicros: 0, vcpuHours: 0, memoryGibHours: 0, pausedGibHours: 0, storageGibHours: 0, activeCpuHours: 0 });

function add(a: UsageAmounts, c: Bucketed): void {
  a.costMicros += c.costMicros;
  if (c.kind === 'compute') {
    a.vcpuHours += c.vcpuMilliMs / 1000 / HOUR_MS;
    a.memoryGibHours += c.memMibMs / 1024 / HOUR_MS;
  } else if (c.kind === 'paused') a.pausedGibHours += c.memMibMs / 1024 / HOUR_MS;
  else if (c.kind === 'storage') a.storageGibHours += c.diskByteMs / 2 ** 30 / HOUR_MS;
  else a.activeCpuHours += c.cpuMs / HOUR_MS;
}

function rounded<T extends UsageAmounts>(a: T): T {
  return { ...a, vcpuHours: round6(a.vcpuHours), memoryGibHours: round6(a.memoryGibHours), pausedGibHours: round6(a.pausedGibHours), storageGibHours: round6(a.storageGibHours), activeCpuHours: round6(a.activeCpuHours) };
}

/** The UTC start of the bucket an hour falls in, as an ISO string. */
export function bucketKey(hour: Date, g: Granularity): string {
  const d = new Date(hour);
  if (g !== 'hour') d.setUTCHours(0, 0, 0, 0);
  if (g === 'month') d.setUTCDate(1);
  return d.toISOString();
}

export function summarize(q: UsageQuery, cells: Bucketed[]): UsageSummary {
  const totals = { ...empty(), costByKind: { compute: 0, paused: 0, storage: 0, active_cpu: 0 } as Record<UsageKind, number> };
  const series = new Map<string, UsageAmounts & { bucket: string; group: string }>();
  const groups = new Map<string, UsageAmounts & { group: string }>();
  for (const c of cells) {
    add(totals, c);
    totals.costByKind[c.kind] += c.costMicros;
    const k = `${c.bucket}|${c.group}`;
    if (!series.has(k)) series.set(k, { ...empty(), bucket: c.bucket, group: c.group });
    add(series.get(k)!, c);
    if (!groups.has(c.group)) groups.set(c.group, { ...empty(), group: c.group });
    add(groups.get(c.group)!, c);
  }
  return {
    from: q.from.toISOString(),
    to: q.to.toISOString(),
    granularity: q.granularity,
    groupBy: q.groupBy,
    currency: 'usd',
    totals: rounded(totals),
    series: [...series.values()].map(rounded).sort((a, b) => a.bucket.localeCompare(b.bucket) || a.group.localeCompare(b.group)),
    groups: [...groups.values()].map(rounded).sort((a, b) => b.costMicros - a.costMicros || a.group.localeCompare(b.group)),
    burnRateMicrosPerHour: 0,
  };
}

/** The same summary as CSV: one line per bucket and group, money in dollars and micro-dollars. */
export function usageCsv(s: UsageSummary): string {
  const head = 'bucket,group,cost_usd,cost_micros,vcpu_hours,memory_gib_hours,paused_gib_hours,storage_gib_hours,active_cpu_hours';
  // Metadata values are the caller's: quote them, and defuse spreadsheet formulas (lib/csv.ts).
  const esc = csvCell;
  const usd = (m: number) => `${Math.floor(m / 1e6)}.${String(m % 1e6).padStart(6, '0')}`;
  const lines = s.series.map((r) =>
    [r.bucket, esc(r.group), usd(r.costMicros), r.costMicros, r.vcpuHours, r.memoryGibHours, r.pausedGibHours, r.storageGibHours, r.activeCpuHours].join(','),
  );
  return `${[head, ...lines].join('\n')}\n`;
}
