import { and, asc, eq, lt, lte } from 'drizzle-orm';
import { type Db, schema } from '@/db';
import { allocate, type Grant } from '@/lib/billing/allocate';
import { hourlyCosts } from '@/lib/billing/balance';
import { floorHour } from '@/lib/billing/period';

const { creditGrants } = schema;

/**
 * The grants that decide how an org's usage in [from, to) was paid, and the first hour of usage
 * that matters: the grants able to pay for an hour of the period, widened (as
 * lib/billing/allocate.ts relevantWindow does for a balance) by every grant whose life overlaps
 * the usage those grants shared, so what was left of them when the period began is right.
 */
export function periodWindow(grants: Grant[], from: Date, to: Date): { start: Date | null; grants: Grant[] } {
  const live = (g: Grant, since: number) => g.effectiveAt < to && (g.expiresAt === null || g.expiresAt.getTime() > since);
  let picked = grants.filter((g) => live(g, from.getTime()));
  if (picked.length === 0) return { start: null, grants: [] };
  let start = Math.min(...picked.map((g) => floorHour(g.effectiveAt).getTime()));
  for (;;) {
    const next = grants.filter((g) => live(g, start));
    const nextStart = Math.min(...next.map((g) => floorHour(g.effectiveAt).getTime()));
    if (next.length === picked.length && nextStart === start) return { start: new Date(start), grants: next };
    picked = next;
    start = Math.min(start, nextStart);
  }
}

export type OrgPeriodRevenue = { orgId: string; byDay: Map<string, { costMicros: number; creditMicros: number }> };

/**
 * One org's metered cost in [from, to) per UTC day, and how much of it credit paid: the same
 * ledger, usage and allocation rules as its balance (lib/billing/balance.ts), replayed over the
 * period. Exact integers; hours before the period are replayed only to know what was left.
 */
export async function orgPeriodRevenue(db: Db, orgId: string, from: Date, to: Date, now: Date): Promise<OrgPeriodRevenue> {
  const rows = await db
    .select()
    .from(creditGrants)
    .where(and(eq(creditGrants.orgId, orgId), lt(creditGrants.effectiveAt, to), lte(creditGrants.effectiveAt, now)))
    .orderBy(asc(creditGrants.effectiveAt));
  const grants: Grant[] = rows.map((r) => ({ id: r.id, amountMicros: r.amountMicros, effectiveAt: r.effectiveAt, expiresAt: r.expiresAt }));
  const window = periodWindow(grants, from, to);
  const first = window.start && window.start < from ? window.start : from;
  const hours = (await hourlyCosts(db, orgId, first, now)).filter((h) => h.hour < to);
  const covered = window.start ? allocate(window.grants, hours.filter((h) => h.hour >= window.start!), now).covered : new Map<number, number>();
  const byDay = new Map<string, { costMicros: number; creditMicros: number }>();
  for (const h of hours) {
    if (h.hour < from) continue;
    const day = h.hour.toISOString().slice(0, 10);
    const d = byDay.get(day) ?? { costMicros: 0, creditMicros: 0 };
    d.costMicros += h.costMicros;
    d.creditMicros += covered.get(h.hour.getTime()) ?? 0;
    byDay.set(day, d);
  }
  return { orgId, byDay };
}
