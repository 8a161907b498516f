import { and, gte, inArray, isNull, lt, sql } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import { orgPeriodRevenue } from './revenue-credits';
import { type SubscriptionRevenue, subscriptionRevenue } from './subscriptions';

const { usageHourly, usagePeriods, creditGrants, orgs } = schema;

export type RevenueDay = { day: string; costMicros: number; creditMicros: number; uncoveredMicros: number; subscriptionMicros: number | null };

export type Revenue = {
  month: string;
  from: string;
  to: string;
  days: RevenueDay[];
  totals: { costMicros: number; creditMicros: number; uncoveredMicros: number; grantedMicros: Record<'monthly' | 'admin' | 'promo', number> };
  topOrgs: Array<{ id: string; slug: string; name: string; costMicros: number; creditMicros: number }>;
  subscriptions: SubscriptionRevenue;
};

/** `2026-11` → its first instant and the next month's, UTC; no month: the current one. */
export function monthRange(month: string | undefined, now = new Date()): { month: string; from: Date; to: Date } {
  const [y, m] = month ? month.split('-').map(Number) : [now.getUTCFullYear(), now.getUTCMonth() + 1];
  const from = new Date(Date.UTC(y!, m! - 1, 1));
  return { month: from.toISOString().slice(0, 7), from, to: new Date(Date.UTC(y!, m!, 1)) };
}

/**
 * The platform's month: metered cost per UTC day (what usage earns at the plans' rates), how
 * much of it credit paid (the allocation each org's balance uses, replayed over the month), the
 * rest (not covered: invoiced once payments exist, or the reason an org was stopped), the credit
 * granted that month by kind, and subscription revenue when the Stripe part's invoices exist.
 * One pass per org that had usage in the month: fine for thousands of orgs, not tuned beyond.
 */
export async function platformRevenue(month: string | undefined, now = new Date()): Promise<Revenue> {
  const { month: key, from, to } = monthRange(month, now);
  const db = await getDb();
  const closedOrgs = await db.selectDistinct({ orgId: usageHourly.orgId }).from(usageHourly).where(and(gte(usageHourly.hour, from), lt(usageHourly.hour, to)));
  const openOrgs = from <= now ? await db.selectDistinct({ orgId: usagePeriods.orgId }).from(usagePeriods).where(isNull(usagePeriods.endedAt)) : [];
  const orgIds = [...new Set([...closedOrgs, ...openOrgs].map((r) => r.orgId))];

  const days = new Map<string, RevenueDay>();
  for (let t = from.getTime(); t < to.getTime(); t += 86_400_000) {
    const day = new Date(t).toISOString().slice(0, 10);
    days.set(day, { day, costMicros: 0, creditMicros: 0, uncoveredMicros: 0, subscriptionMicros: null });
  }
  const perOrg: Array<{ id: string; costMicros: number; creditMicros: number }> = [];
  for (const orgId of orgIds) {
    const r = await orgPeriodRevenue(db, orgId, from, to, now);
    let cost = 0;
    let credit = 0;
    for (const [day, v] of r.byDay) {
      const d = days.get(day);
      if (!d) continue;
      d.costMicros += v.costMicros;
      d.creditMicros += v.creditMicros;
      d.uncoveredMicros += v.costMicros - v.creditMicros;
      cost += v.costMicros;
      credit += v.creditMicros;
    }
    if (cost > 0) perOrg.push({ id: orgId, costMicros: cost, creditMicros: credit });
  }

  const subscriptions = await subscriptionRevenue(db, from, to);
  if (subscriptions.available) for (const d of days.values()) d.subscriptionMicros = subscriptions.byDay[d.day] ?? 0;

  const granted = await db
    .select({ kind: creditGrants.kind, sum: sql<string>`sum(${creditGrants.amountMicros})` })
    .from(creditGrants)
    .where(and(gte(creditGrants.effectiveAt, from), lt(creditGrants.effectiveAt, to)))
    .groupBy(creditGrants.kind);
  const grantedMicros = { monthly: 0, admin: 0, promo: 0 };
  for (const g of granted) grantedMicros[g.kind] = Number(g.sum);

  const top = perOrg.sort((a, b) => b.costMicros - a.costMicros).slice(0, 10);
  const names = top.length ? await db.select({ id: orgs.id, slug: orgs.slug, name: orgs.name }).from(orgs).where(inArray(orgs.id, top.map((t) => t.id))) : [];
  const list = [...days.values()];
  const sum = (k: 'costMicros' | 'creditMicros' | 'uncoveredMicros') => list.reduce((s, d) => s + d[k], 0);
  return {
    month: key,
    from: from.toISOString(),
    to: to.toISOString(),
    days: list,
    totals: { costMicros: sum('costMicros'), creditMicros: sum('creditMicros'), uncoveredMicros: sum('uncoveredMicros'), grantedMicros },
    topOrgs: top.flatMap((t) => {
      const o = names.find((n) => n.id === t.id);
      return o ? [{ ...o, costMicros: t.costMicros, creditMicros: t.creditMicros }] : [];
    }),
    subscriptions,
  };
}

