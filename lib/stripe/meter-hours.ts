import { and, eq, gte, isNull, lt, lte, sql } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import { allocate, type Grant, relevantWindow } from '@/lib/billing/allocate';
import { ensureMonthlyCredit } from '@/lib/billing/credits';
import { floorHour, HOUR_MS, monthStart, nextMonthStart } from '@/lib/billing/period';

const { creditGrants, usageHourly, usagePeriods } = schema;

/**
 * What Stripe is told about an org's hour: the part of its metered cost that no credit paid for
 * (lib/billing/allocate.ts decides that; credit is Warren's ledger, so Stripe must never invoice
 * what credit covered). Computed over every grant that can share usage with these hours, from
 * the rollups of closed hours only, so it is the same number the Billing page's `uncovered` adds up.
 */
export async function uncoveredByHour(orgId: string, from: Date, to: Date, now = new Date()): Promise<Map<number, number>> {
  // A month's plan credit covers the whole month however late it is written: write it first, as
  // the balance does, so an hour is never reported as uncovered and then covered after all.
  for (let m = monthStart(from); m < to; m = nextMonthStart(m)) await ensureMonthlyCredit(orgId, m);
  const db = await getDb();
  const rows = await db.select().from(creditGrants).where(and(eq(creditGrants.orgId, orgId), lte(creditGrants.effectiveAt, now)));
  const grants: Grant[] = rows.map((r) => ({ id: r.id, amountMicros: r.amountMicros, effectiveAt: r.effectiveAt, expiresAt: r.expiresAt }));
  // Grants alive at `from` may have been partly used before it: start where their shared usage began.
  const window = relevantWindow(grants, from);
  const later = grants.filter((g) => g.effectiveAt > from);
  const start = window.from && window.from < from ? window.from : from;
  const hours = await db
    .select({ hour: usageHourly.hour, cost: sql<string>`sum(${usageHourly.costMicros})` })
    .from(usageHourly)
    .where(and(eq(usageHourly.orgId, orgId), gte(usageHourly.hour, start), lt(usageHourly.hour, to)))
    .groupBy(usageHourly.hour);
  const alloc = allocate(
    [...window.grants, ...later],
    hours.map((h) => ({ hour: h.hour, costMicros: Number(h.cost) })),
    now,
  );
  const out = new Map<number, number>();
  for (const [hour, micros] of alloc.uncoveredByHour) if (hour >= from.getTime()) out.set(hour, micros);
  return out;
}

/**
 * The end (exclusive) of the org's closed hours: an hour is closed once it ended `settleMs` ago
 * (the meter has read the runners' journals and rolled periods over) and no period of the org is
 * still open from before its end (a console that was down has not rolled them over yet).
 */
export async function closedUntil(orgId: string, now: Date, settleMs: number): Promise<Date> {
  const db = await getDb();
  const [open] = await db
    .select({ first: sql<string | null>`min(${usagePeriods.startedAt})` })
    .from(usagePeriods)
    .where(and(eq(usagePeriods.orgId, orgId), isNull(usagePeriods.endedAt)));
  const settled = floorHour(new Date(now.getTime() - settleMs));
  const openFrom = open?.first ? floorHour(new Date(open.first)) : null;
  return openFrom && openFrom < settled ? openFrom : settled;
}

/** The hours [from, to) one at a time (epoch ms). */
export function* hoursBetween(from: Date, to: Date): Generator<number> {
  for (let h = floorHour(from).getTime(); h < to.getTime(); h += HOUR_MS) yield h;
}
