/**
 * What the Usage page shows: a period, a bucket size and a grouping, kept in the URL so a reload
 * or a shared link lands on the same view. Pure functions, so the server page can parse the
 * URL and the client can build API queries from the same rules.
 *
 * Periods are in UTC, as the API's buckets and the billing month are.
 */
export const PERIODS = ['month', '7d', '30d', 'custom'] as const;
export type PeriodKey = (typeof PERIODS)[number];
export type Granularity = 'hour' | 'day' | 'month';

export type UsageSelection = {
  period: PeriodKey;
  /** Custom period only: first and last day, inclusive (YYYY-MM-DD, UTC). */
  from: string;
  to: string;
  granularity: Granularity | 'auto';
  /** kind, sandbox, template or metadata.<key> */
  groupBy: string;
};

export const PERIOD_LABELS: Record<PeriodKey, string> = {
  month: 'This month',
  '7d': 'Last 7 days',
  '30d': 'Last 30 days',
  custom: 'Custom range',
};

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MAX_DAYS = 400;
const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;
export const METADATA_KEY_RE = /^[A-Za-z0-9_.-]{1,64}$/;

export const isoDay = (d: Date) => d.toISOString().slice(0, 10);

export function defaultSelection(now = new Date()): UsageSelection {
  return {
    period: 'month',
    from: isoDay(new Date(now.getTime() - 6 * DAY)),
    to: isoDay(now),
    granularity: 'auto',
    groupBy: 'kind',
  };
}

function validGroupBy(g: string | undefined): g is string {
  if (!g) return false;
  return ['kind', 'sandbox', 'template', 'isolation'].includes(g) || (g.startsWith('metadata.') && METADATA_KEY_RE.test(g.slice(9)));
}

/** The selection named by the URL's query; anything unknown falls back to the default. */
export function parseSelection(q: Record<string, string | string[] | undefined>, now = new Date()): UsageSelection {
  const one = (k: string) => (typeof q[k] === 'string' ? (q[k] as string) : undefined);
  const d = defaultSelection(now);
  const period = PERIODS.includes(one('period') as PeriodKey) ? (one('period') as PeriodKey) : d.period;
  const gran = one('granularity');
  return {
    period,
    from: DAY_RE.test(one('from') ?? '') ? one('from')! : d.from,
    to: DAY_RE.test(one('to') ?? '') ? one('to')! : d.to,
    granularity: gran === 'hour' || gran === 'day' || gran === 'month' ? gran : 'auto',
    groupBy: validGroupBy(one('groupBy')) ? one('groupBy')! : d.groupBy,
  };
}

/** The URL query for a selection: only what differs from the defaults. */
export function selectionSearch(s: UsageSelection): string {
  const q = new URLSearchParams();
  if (s.period !== 'month') q.set('period', s.period);
  if (s.period === 'custom') {
    q.set('from', s.from);
    q.set('to', s.to);
  }
  if (s.granularity !== 'auto') q.set('granularity', s.granularity);
  if (s.groupBy !== 'kind') q.set('groupBy', s.groupBy);
  return q.toString();
}

export type ResolvedRange = { from: Date; to: Date; error: string | null };

/** The instants a selection covers; `to` is now for the presets. */
export function rangeOf(s: UsageSelection, now = new Date()): ResolvedRange {
  const floorHour = (t: number) => new Date(Math.floor(t / HOUR) * HOUR);
  switch (s.period) {
    case 'month':
      return { from: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)), to: now, error: null };
    case '7d':
      return { from: floorHour(now.getTime() - 7 * DAY), to: now, error: null };
    case '30d':
      return { from: floorHour(now.getTime() - 30 * DAY), to: now, error: null };
    case 'custom': {
      const from = new Date(`${s.from}T00:00:00Z`);
      const to = new Date(new Date(`${s.to}T00:00:00Z`).getTime() + DAY);
      if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) return { from, to, error: 'Pick both dates' };
      if (from >= to) return { from, to, error: 'The first day must not be after the last day' };
      if (to.getTime() - from.getTime() > MAX_DAYS * DAY)
        return { from, to, error: `A range spans at most ${MAX_DAYS} days` };
      return { from, to, error: null };
    }
  }
}

/** Bucket size: hours for short ranges, days otherwise; hourly covers at most 31 days (the API's limit). */
export function granularityOf(s: UsageSelection, r: ResolvedRange): Granularity {
  const span = r.to.getTime() - r.from.getTime();
  if (s.granularity === 'hour' && span > 31 * DAY) return 'day';
  if (s.granularity !== 'auto') return s.granularity;
  return span <= 2 * DAY ? 'hour' : 'day';
}

/** The API query for a selection. Presets leave `to` out, so the API counts up to the moment it answers. */
export function usageQuery(s: UsageSelection, r: ResolvedRange, groupBy = s.groupBy): URLSearchParams {
  const q = new URLSearchParams({ granularity: granularityOf(s, r), groupBy });
  if (s.period !== 'month') q.set('from', r.from.toISOString());
  if (s.period === 'custom') q.set('to', r.to.toISOString());
  return q;
}
