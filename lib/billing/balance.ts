import { and, asc, eq, gte, lt, lte, type SQL, sql } from 'drizzle-orm';
import { type Db, type DbOrTx, getDb, schema } from '@/db';
import { perDbHandle } from '@/db/per-handle';
import { burnRateMicrosPerHour, livePieces, type OpenPeriod, openHours } from '@/lib/usage/live';
import { planRates } from '@/lib/usage/org-rates';
import type { RateCard } from '@/lib/usage/rates';
import { allocate, type Grant, type HourCost, isActive, relevantWindow } from './allocate';
import { ensureMonthlyCredit } from './credits';
import { monthStart, nextMonthStart, periodKey } from './period';

const { creditGrants, orgs, usageHourly } = schema;

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

type GrantRow = Pick<typeof creditGrants.$inferSelect, 'id' | 'kind' | 'amountMicros' | 'reason' | 'grantedBy' | 'periodKey' | 'effectiveAt' | 'expiresAt'>;
type BalanceReads = { rows: GrantRow[]; thisMonth: HourCost[]; open: OpenPeriod[] };

/**
 * What a balance reads, in one statement: the ledger up to now, this month's closed hours and
 * the open periods, each a JSON array of tuples (timestamps as epoch milliseconds, as a JS Date
 * holds them; 64-bit amounts as text). One round trip and one snapshot: as three queries they
 * were the last reads a create waited for, and a meter pass closing a period between them could
 * count its cost twice or not at all.
 */
function balanceReadsQuery(db: DbOrTx) {
  const orgId = sql.placeholder('orgId');
  const now = sql.placeholder('now');
  const start = sql.placeholder('start');
  const ms = (col: SQL) => sql`floor(extract(epoch from ${col}) * 1000)::bigint`;
  return db
    .select({
      grants: sql<string>`(select coalesce(json_agg(json_build_array(g.id, g.kind, g.amount_micros::text, g.reason, g.granted_by, g.period_key, ${ms(sql`g.effective_at`)}, ${ms(sql`g.expires_at`)}) order by g.effective_at), '[]')::text from credit_grants g where g.org_id = ${orgId} and g.effective_at <= ${now}::timestamptz)`,
      hours: sql<string>`(select coalesce(json_agg(json_build_array(${ms(sql`h.hour`)}, h.cost::text)), '[]')::text from (select u.hour, sum(u.cost_micros) as cost from usage_hourly u where u.org_id = ${orgId} and u.hour >= ${start}::timestamptz group by u.hour) h)`,
      open: sql<string>`(select coalesce(json_agg(json_build_array(p.kind, ${ms(sql`p.started_at`)}, p.vcpu_milli, p.memory_mb, p.disk_bytes::text)), '[]')::text from usage_periods p where p.ended_at is null and p.org_id = ${orgId})`,
    })
    .from(orgs)
    .where(eq(orgs.id, orgId));
}
const preparedBalanceReads = perDbHandle((db: Db) => balanceReadsQuery(db).prepare('org_balance_reads'));

async function balanceReads(db: DbOrTx, orgId: string, now: Date, start: Date, prepared: boolean): Promise<BalanceReads> {
  const values = { orgId, now: now.toISOString(), start: start.toISOString() };
  const [row] = prepared ? await preparedBalanceReads(db as Db).execute(values) : await balanceReadsQuery(db).execute(values);
  if (!row) return { rows: [], thisMonth: [], open: [] }; // no such org: nothing granted, nothing used
  type GrantTuple = [string, GrantRow['kind'], string, string, string, string | null, number, number | null];
  const rows = (JSON.parse(row.grants) as GrantTuple[]).map(([id, kind, amount, reason, grantedBy, periodKey, effectiveMs, expiresMs]) => ({
    id,
    kind,
    amountMicros: Number(amount),
    reason,
    grantedBy,
    periodKey,
    effectiveAt: new Date(effectiveMs),
    expiresAt: expiresMs === null ? null : new Date(expiresMs),
  }));
  const thisMonth = (JSON.parse(row.hours) as [number, string][]).map(([hourMs, cost]) => ({ hour: new Date(hourMs), costMicros: Number(cost) }));
  type OpenTuple = [OpenPeriod['kind'], number, number, number, string];
  const open = (JSON.parse(row.open) as OpenTuple[]).map(([kind, startedMs, vcpuMilli, memoryMb, disk]) => ({ kind, startedAt: new Date(startedMs), vcpuMilli, memoryMb, diskBytes: Number(disk) }));
  return { rows, thisMonth, open };
}

/**
 * The org's credit balance, derived (lib/billing/allocate.ts explains the rules): this month's
 * plan credit is granted first if it has not been yet, then the ledger and the metered cost
 * decide. Also this period's spend so far (what the spend limit counts).
 *
 * Every create asks this, so its reads are one statement in the usual case (balanceReads).
 * Only an org whose relevant credit started before this month reads the earlier hours after
 * (they depend on the ledger), and only a month whose plan credit is not written yet reads the
 * ledger again. `rates`: the org's plan rates when the caller has read them already (else read
 * here, when something is open).
 */
export async function orgBalance(orgId: string, now = new Date(), dbx?: DbOrTx, rates?: RateCard | Promise<RateCard>): Promise<OrgBalance> {
  const db = dbx ?? (await getDb());
  const start = monthStart(now);
  const key = periodKey(now);
  let { rows, thisMonth, open } = await balanceReads(db, orgId, now, start, dbx === undefined);
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
