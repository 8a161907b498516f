import { and, asc, eq, gte, isNull, lt, lte, sql } from 'drizzle-orm';
import { type DbOrTx, getDb, schema } from '@/db';
import { burnRateMicrosPerHour, livePieces, openHours } from '@/lib/usage/live';
import { planRates } from '@/lib/usage/org-rates';
import type { RateCard } from '@/lib/usage/rates';
import { allocate, type Grant, type HourCost, isActive, relevantWindow } from './allocate';
import { ensureMonthlyCredit } from './credits';
import { monthStart, nextMonthStart, periodKey } from './period';

const { creditGrants, usageHourly, usagePeriods } = schema;

export type CreditView = {
  id: string;
  kind: 'monthly' | 'admin' | 'promo';
  amountMicros: number;
  remainingMicros: number;
  reason: string;
  grantedBy: string;
  effectiveAt: string;
  expiresAt: string | null;
};

export type OrgBalance = {
  balanceMicros: number;
  /** Usage since the balance's window opened that no credit could pay for. */
  uncoveredMicros: number;
  credits: CreditView[];
  period: { start: string; end: string; spentMicros: number };
};

/** This month's spend at month's end if what runs now keeps running: integer micro-dollars, the
 * burn rate per hour times the whole hours left. */
export async function monthProjection(orgId: string, spentMicros: number, now = new Date()) {
  const burn = await burnRateMicrosPerHour(await getDb(), orgId);
  const hoursLeft = Math.floor((nextMonthStart(now).getTime() - now.getTime()) / 3_600_000);
  return { burnRateMicrosPerHour: burn, projectedMicros: spentMicros + burn * hoursLeft };
}

/** Metered cost per hour from `from` on: closed hours from the rollups, open periods live. */
export async function hourlyCosts(db: DbOrTx, orgId: string, from: Date, now: Date): Promise<HourCost[]> {
  const byHour = new Map<number, number>();
  for (const r of await closedHourCosts(db, orgId, from)) byHour.set(r.hour.getTime(), r.costMicros);
  for (const p of await livePieces(db, { orgId }, from, new Date(now.getTime() + 1), now)) {
    byHour.set(p.hour.getTime(), (byHour.get(p.hour.getTime()) ?? 0) + p.costMicros);
  }
  return sortedHours(byHour);
}

/** The rollups' cost per hour in [from, before) (no end: up to now). */
async function closedHourCosts(db: DbOrTx, orgId: string, from: Date, before?: Date): Promise<HourCost[]> {
  const rows = await db
    .select({ hour: usageHourly.hour, cost: sql<string>`sum(${usageHourly.costMicros})` })
    .from(usageHourly)
    .where(and(eq(usageHourly.orgId, orgId), gte(usageHourly.hour, from), before ? lt(usageHourly.hour, before) : undefined))
    .groupBy(usageHourly.hour);
  return rows.map((r) => ({ hour: r.hour, costMicros: Number(r.cost) }));
}

const sortedHours = (byHour: Map<number, number>): HourCost[] =>
  [...byHour].map(([t, costMicros]) => ({ hour: new Date(t), costMicros })).sort((a, b) => a.hour.getTime() - b.hour.getTime());

const grantRows = (db: DbOrTx, orgId: string, now: Date) =>
  db
    .select()
    .from(creditGrants)
    .where(and(eq(creditGrants.orgId, orgId), lte(creditGrants.effectiveAt, now)))
    .orderBy(asc(creditGrants.effectiveAt));

const openPeriodsOf = (db: DbOrTx, orgId: string) => db.select().from(usagePeriods).where(and(isNull(usagePeriods.endedAt), eq(usagePeriods.orgId, orgId)));

/**
 * The org's credit balance, derived (lib/billing/allocate.ts explains the rules): this month's
 * plan credit is granted first if it has not been yet, then the ledger and the metered cost
 * decide. Also this period's spend so far (what the spend limit counts).
 *
 * Every create asks this, so its reads are one round trip's wait in the usual case: the ledger,
 * this month's rollups and the open periods do not depend on each other. Only an org whose
 * relevant credit started before this month reads the earlier hours after (they depend on the
 * ledger), and only a month whose plan credit is not written yet reads the ledger again.
 * `rates`: the org's plan rates when the caller has read them already (else read here, when
 * something is open).
 */
export async function orgBalance(orgId: string, now = new Date(), dbx?: DbOrTx, rates?: RateCard | Promise<RateCard>): Promise<OrgBalance> {
  const db = dbx ?? (await getDb());
  const start = monthStart(now);
  const key = periodKey(now);
  let [rows, thisMonth, open] = await Promise.all([grantRows(db, orgId, now), closedHourCosts(db, orgId, start), openPeriodsOf(db, orgId)]);
  // A monthly grant takes effect at its month's start, so the ledger read above holds it if it exists.
  if (!rows.some((r) => r.kind === 'monthly' && r.periodKey === key) && (await ensureMonthlyCredit(orgId, now))) rows = await grantRows(db, orgId, now);
  const grants: Grant[] = rows.map((r) => ({ id: r.id, amountMicros: r.amountMicros, effectiveAt: r.effectiveAt, expiresAt: r.expiresAt }));
  const window = relevantWindow(grants, now);
  const from = window.from && window.from < start ? window.from : start;
  const byHour = new Map<number, number>();
  for (const h of from < start ? await closedHourCosts(db, orgId, from, start) : []) byHour.set(h.hour.getTime(), h.costMicros);
  for (const h of thisMonth) byHour.set(h.hour.getTime(), h.costMicros);
  if (open.length) {
    const card = await (rates ?? planRates(db, orgId));
    for (const p of open) {
      for (const h of openHours(p, card, from, new Date(now.getTime() + 1), now)) byHour.set(h.hour.getTime(), (byHour.get(h.hour.getTime()) ?? 0) + h.costMicros);
    }
  }
  const hours = sortedHours(byHour);
  const alloc = allocate(window.grants, window.from ? hours.filter((h) => h.hour >= window.from!) : [], now);

  const spent = hours.filter((h) => h.hour >= start).reduce((s, h) => s + h.costMicros, 0);
  const credits = rows
    .filter((r) => isActive({ id: r.id, amountMicros: r.amountMicros, effectiveAt: r.effectiveAt, expiresAt: r.expiresAt }, now))
    .map((r) => ({
      id: r.id,
      kind: r.kind,
      amountMicros: r.amountMicros,
      remainingMicros: alloc.remaining.get(r.id) ?? r.amountMicros,
      reason: r.reason,
      grantedBy: r.grantedBy,
      effectiveAt: r.effectiveAt.toISOString(),
      expiresAt: r.expiresAt?.toISOString() ?? null,
    }))
    // The order they are spent in: the earliest expiry first, credit that never expires last.
    .sort((a, b) => (a.expiresAt ? Date.parse(a.expiresAt) : Number.POSITIVE_INFINITY) - (b.expiresAt ? Date.parse(b.expiresAt) : Number.POSITIVE_INFINITY));
  return {
    balanceMicros: alloc.balanceMicros,
    uncoveredMicros: alloc.uncoveredMicros,
    credits,
    period: { start: start.toISOString(), end: nextMonthStart(now).toISOString(), spentMicros: spent },
  };
}
