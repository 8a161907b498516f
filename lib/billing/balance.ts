import { and, asc, eq, gte, lte, sql } from 'drizzle-orm';
import { type DbOrTx, getDb, schema } from '@/db';
import { burnRateMicrosPerHour, livePieces } from '@/lib/usage/live';
import { allocate, type Grant, type HourCost, isActive, relevantWindow } from './allocate';
import { ensureMonthlyCredit } from './credits';
import { monthStart, nextMonthStart } from './period';

const { creditGrants, usageHourly } = schema;

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
  const rows = await db
    .select({ hour: usageHourly.hour, cost: sql<string>`sum(${usageHourly.costMicros})` })
    .from(usageHourly)
    .where(and(eq(usageHourly.orgId, orgId), gte(usageHourly.hour, from)))
    .groupBy(usageHourly.hour);
  const byHour = new Map(rows.map((r) => [r.hour.getTime(), Number(r.cost)]));
  for (const p of await livePieces(db, { orgId }, from, new Date(now.getTime() + 1), now)) {
    byHour.set(p.hour.getTime(), (byHour.get(p.hour.getTime()) ?? 0) + p.costMicros);
  }
  return [...byHour].map(([t, costMicros]) => ({ hour: new Date(t), costMicros })).sort((a, b) => a.hour.getTime() - b.hour.getTime());
}

/**
 * The org's credit balance, derived (lib/billing/allocate.ts explains the rules): this month's
 * plan credit is granted first if it has not been yet, then the ledger and the metered cost
 * decide. Also this period's spend so far (what the spend limit counts).
 */
export async function orgBalance(orgId: string, now = new Date(), dbx?: DbOrTx): Promise<OrgBalance> {
  await ensureMonthlyCredit(orgId, now);
  const db = dbx ?? (await getDb());
  const rows = await db
    .select()
    .from(creditGrants)
    .where(and(eq(creditGrants.orgId, orgId), lte(creditGrants.effectiveAt, now)))
    .orderBy(asc(creditGrants.effectiveAt));
  const grants: Grant[] = rows.map((r) => ({ id: r.id, amountMicros: r.amountMicros, effectiveAt: r.effectiveAt, expiresAt: r.expiresAt }));
  const window = relevantWindow(grants, now);
  const start = monthStart(now);
  const from = window.from && window.from < start ? window.from : start;
  const hours = await hourlyCosts(db, orgId, from, now);
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
