import { and, eq, inArray, isNull } from 'drizzle-orm';
import { type DbOrTx, schema } from '@/db';
import type { UsageKind } from '@/db/schema/usage';
import type { IsolationLevel } from '@/db/schema/sandboxes';
import { newRatesMemo, planRates } from './org-rates';
import { periodCost, type RateCard } from './rates';

const { usagePeriods } = schema;
const HOUR = 3_600_000;

/** One hour's piece of an open period, up to now, with its quantities and its cost so far. */
export type LivePiece = {
  orgId: string;
  subject: string;
  sandboxId: string | null;
  isolation: IsolationLevel | null;
  kind: UsageKind;
  hour: Date;
  durationMs: number;
  vcpuMilliMs: number;
  memMibMs: number;
  diskByteMs: number;
  cpuMs: number;
  costMicros: number;
};

/**
 * Open periods as if they closed now, cut at hours and clipped to [from, to): the same
 * arithmetic closing them would do (with each org's plan rates now, which is what closing them
 * now would use), so a query mixing rollups and live periods is exact.
 */
export async function livePieces(db: DbOrTx, where: { orgId?: string; subjects?: string[] }, from: Date, to: Date, now = new Date()): Promise<LivePiece[]> {
  if (where.subjects && where.subjects.length === 0) return [];
  const open = await db
    .select()
    .from(usagePeriods)
    .where(
      and(
        isNull(usagePeriods.endedAt),
        where.orgId ? eq(usagePeriods.orgId, where.orgId) : undefined,
        where.subjects ? inArray(usagePeriods.subject, where.subjects) : undefined,
      ),
    );
  const ratesOf = newRatesMemo(db);
  const out: LivePiece[] = [];
  for (const p of open) {
    const rates = await ratesOf(p.orgId);
    for (const h of openHours(p, rates, from, to, now)) {
      const d = h.durationMs;
      out.push({
        orgId: p.orgId,
        subject: p.subject,
        sandboxId: p.sandboxId,
        isolation: p.isolation,
        kind: p.kind,
        hour: h.hour,
        durationMs: d,
        vcpuMilliMs: p.vcpuMilli * d,
        memMibMs: p.memoryMb * d,
        diskByteMs: p.diskBytes * d,
        cpuMs: 0,
        costMicros: h.costMicros,
      });
    }
  }
  return out;
}

/** What pricing an open period reads (its CPU time counts as 0 until it closes, as in livePieces). */
export type OpenPeriod = Pick<typeof usagePeriods.$inferSelect, 'kind' | 'startedAt' | 'vcpuMilli' | 'memoryMb' | 'diskBytes'>;

/**
 * An open period as if it closed now, cut at hours and clipped to [from, to), each hour priced
 * on its own (rounding down per hour, as closing it would). Pure: the list of sandboxes prices
 * the open periods it fetched with its page through this too, so both agree to the micro-dollar.
 */
export function openHours(p: OpenPeriod, rates: RateCard, from: Date, to: Date, now: Date): { hour: Date; durationMs: number; costMicros: number }[] {
  const out: { hour: Date; durationMs: number; costMicros: number }[] = [];
  eachOpenHour(p, from.getTime(), Math.min(now.getTime(), to.getTime()), (hourMs, d) => {
    out.push({ hour: new Date(hourMs), durationMs: d, costMicros: hourCost(p, d, rates) });
  });
  return out;
}

/** Cost so far of an open period (from its start up to now): openHours summed, without its dates
 * (the list of sandboxes prices every open period of its page through this on each request). */
export function openCostSoFar(p: OpenPeriod, rates: RateCard, now: Date): number {
  let cost = 0;
  eachOpenHour(p, 0, now.getTime(), (_hourMs, d) => {
    cost += hourCost(p, d, rates);
  });
  return cost;
}

/** The hour-long pieces of [max(start, fromMs), endMs): each hour's start and the piece's length. */
function eachOpenHour(p: OpenPeriod, fromMs: number, endMs: number, piece: (hourMs: number, durationMs: number) => void): void {
  let t = Math.max(p.startedAt.getTime(), fromMs);
  while (t < endMs) {
    const hourMs = Math.floor(t / HOUR) * HOUR; // as hourOf
    const stop = Math.min(endMs, hourMs + HOUR);
    piece(hourMs, stop - t);
    t = stop;
  }
}

const hourCost = (p: OpenPeriod, durationMs: number, rates: RateCard) =>
  periodCost({ kind: p.kind, durationMs, vcpuMilli: p.vcpuMilli, memoryMb: p.memoryMb, diskBytes: p.diskBytes, cpuMs: 0 }, rates);

/** Cost per hour of what is open right now (for a month-end projection). */
export async function burnRateMicrosPerHour(db: DbOrTx, orgId: string, subject?: string): Promise<number> {
  const open = await db
    .select()
    .from(usagePeriods)
    .where(and(isNull(usagePeriods.endedAt), eq(usagePeriods.orgId, orgId), subject ? eq(usagePeriods.subject, subject) : undefined));
  if (open.length === 0) return 0;
  const rates = await planRates(db, orgId);
  return open.reduce((s, p) => s + periodCost({ kind: p.kind, durationMs: HOUR, vcpuMilli: p.vcpuMilli, memoryMb: p.memoryMb, diskBytes: p.diskBytes, cpuMs: 0 }, rates), 0);
}
