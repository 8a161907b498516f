import { KIND_COLORS, KIND_LABELS, type UsageKind, type UsageSummary } from './usage-types';

/** The chart's stacks: the biggest groups by cost keep their own colour, the rest add up as "Other". */
const MAX_STACKS = 6;
const OTHER = '__other';
const PALETTE = ['#4f46e5', '#059669', '#d97706', '#0284c7', '#db2777', '#7c3aed'];
const HOUR = 3_600_000;

export type Stack = { key: string; label: string; color: string };
export type ChartRow = { bucket: string } & Record<string, number | string>;

/** How a group reads: kinds by name, snapshot storage as such, metadata's missing value plainly. */
export function groupLabel(groupBy: string, group: string): string {
  if (groupBy === 'kind') return KIND_LABELS[group as UsageKind] ?? group;
  if (groupBy === 'sandbox' && group.startsWith('snap_')) return `snapshot ${group.slice(5)}`;
  if (groupBy === 'isolation') return group === 'gvisor' ? 'gVisor' : group === 'container' ? 'Container' : group;
  if (group === '(none)') return groupBy.startsWith('metadata.') ? `no ${groupBy.slice(9)}` : group;
  return group;
}

/** Every bucket start (UTC) from `from` up to `to`, so quiet hours and days show as gaps, not squeezed out. */
export function bucketsBetween(from: string, to: string, g: UsageSummary['granularity']): string[] {
  const out: string[] = [];
  const d = new Date(from);
  if (g !== 'hour') d.setUTCHours(0, 0, 0, 0);
  if (g === 'month') d.setUTCDate(1);
  const end = new Date(to).getTime();
  while (d.getTime() < end && out.length < 2000) {
    out.push(d.toISOString());
    if (g === 'hour') d.setTime(d.getTime() + HOUR);
    else if (g === 'day') d.setUTCDate(d.getUTCDate() + 1);
    else d.setUTCMonth(d.getUTCMonth() + 1);
  }
  return out;
}

/**
 * The summary pivoted for a stacked bar chart: one row per bucket, one integer micro-dollar
 * amount per stack. Groups with no cost in the period (active CPU at a zero rate) get no stack.
 */
export function chartData(s: UsageSummary): { stacks: Stack[]; rows: ChartRow[] } {
  const costly = s.groups.filter((g) => g.costMicros > 0);
  const own = costly.length > MAX_STACKS ? costly.slice(0, MAX_STACKS - 1) : costly;
  const ownKeys = new Set(own.map((g) => g.group));
  const stacks: Stack[] = own.map((g, i) => ({
    key: g.group,
    label: groupLabel(s.groupBy, g.group),
    color: s.groupBy === 'kind' ? (KIND_COLORS[g.group as UsageKind] ?? PALETTE[i]!) : PALETTE[i % PALETTE.length]!,
  }));
  if (costly.length > own.length)
    stacks.push({ key: OTHER, label: `${costly.length - own.length} more`, color: '#a1a1aa' });

  const rows = new Map<string, ChartRow>(
    bucketsBetween(s.from, s.to, s.granularity).map((b) => [
      b,
      { bucket: b, ...Object.fromEntries(stacks.map((x) => [x.key, 0])) },
    ]),
  );
  for (const p of s.series) {
    if (!p.costMicros) continue;
    const row = rows.get(p.bucket) ?? { bucket: p.bucket };
    const key = ownKeys.has(p.group) ? p.group : OTHER;
    row[key] = (Number(row[key]) || 0) + p.costMicros;
    rows.set(p.bucket, row);
  }
  return { stacks, rows: [...rows.values()].sort((a, b) => a.bucket.localeCompare(b.bucket)) };
}

const fmt = {
  hour: new Intl.DateTimeFormat('en-US', {
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone: 'UTC',
  }),
  day: new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' }),
  month: new Intl.DateTimeFormat('en-US', { month: 'short', year: 'numeric', timeZone: 'UTC' }),
};

/** A bucket's start as the axis and tooltip show it (UTC, like the buckets). */
export function bucketLabel(iso: string, g: UsageSummary['granularity']): string {
  return fmt[g].format(new Date(iso));
}
