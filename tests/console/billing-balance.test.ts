import { and, eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { closeDb, getDb, schema } from '@/db';
import { allocate, type Grant, relevantWindow } from '@/lib/billing/allocate';
import { orgBalance } from '@/lib/billing/balance';
import { ensureMonthlyCredit } from '@/lib/billing/credits';
import { planFor } from './helpers/billing';
import { makeOrg } from './helpers/fixtures';

/**
 * How credit is consumed and how the balance is derived: the earliest-expiring credit pays
 * first, a grant pays from the hour it takes effect, expired credit lapses, and the monthly
 * plan credit is granted once per org and month however many consoles ask at once.
 */
afterAll(closeDb);

const H = 3_600_000;
const T0 = Date.UTC(2026, 0, 1); // 2026-01-01 00:00Z
const at = (hours: number) => new Date(T0 + hours * H);
const grant = (id: string, amountMicros: number, from: number, until: number | null): Grant => ({ id, amountMicros, effectiveAt: at(from), expiresAt: until === null ? null : at(until) });
const hour = (h: number, costMicros: number) => ({ hour: at(h), costMicros });

describe('allocation (pure)', () => {
  it('takes usage from the earliest-expiring credit first; what lapses is lost', () => {
    const grants = [grant('never', 10, 0, null), grant('soon', 10, 0, 2)];
    const a = allocate(grants, [hour(0, 5)], at(1));
    expect(Object.fromEntries(a.remaining)).toEqual({ soon: 5, never: 10 });
    expect(a.balanceMicros).toBe(15);
    // Three hours on, 'soon' has expired with 5 unused: only 'never' is left.
    expect(allocate(grants, [hour(0, 5)], at(3)).balanceMicros).toBe(10);
    // Usage after 'soon' expired can only come from 'never'.
    expect(Object.fromEntries(allocate(grants, [hour(0, 5), hour(2, 4)], at(3)).remaining)).toEqual({ soon: 5, never: 6 });
  });

  it('a grant pays from the hour it takes effect, never for earlier usage', () => {
    const a = allocate([grant('late', 10, 1.5, null)], [hour(0, 7), hour(1, 3)], at(2));
    expect(a.uncoveredMicros).toBe(7); // hour 0 had no credit; hour 1 (the grant's own hour) is paid
    expect(a.balanceMicros).toBe(7);
  });

  it('usage beyond every grant is uncovered and the balance stops at zero', () => {
    const a = allocate([grant('g', 10, 0, null)], [hour(0, 6), hour(1, 6)], at(2));
    expect([a.balanceMicros, a.uncoveredMicros]).toEqual([0, 2]);
  });

  it('the window that decides the balance includes every grant sharing its usage', () => {
    // A (Jan 1 → Feb 1) paid for early January; B (from Jan 20, no expiry) shares late January with A.
    const grants = [grant('A', 5, 0, 31 * 24), grant('B', 10, 19 * 24, null)];
    const hours = [hour(4 * 24, 4), hour(24 * 24, 3)];
    const now = at(40 * 24);
    const full = allocate(grants, hours, now);
    const w = relevantWindow(grants, now);
    const windowed = allocate(w.grants, hours.filter((h) => h.hour >= w.from!), now);
    expect(full.balanceMicros).toBe(8); // A paid 4 then 1; B paid 2
    expect(windowed.balanceMicros).toBe(full.balanceMicros);
    expect(w.from).toEqual(at(0));
  });
});

describe('the balance of an org (real database)', () => {
  async function orgWithoutMonthlyCredit() {
    const { scope } = await makeOrg();
    await planFor(scope.orgId, { monthlyCreditMicros: 0 });
    return scope.orgId;
  }
  const db = () => getDb();
  const addGrant = async (orgId: string, amountMicros: number, effectiveAt: Date, expiresAt: Date | null) =>
    (await db()).insert(schema.creditGrants).values({ orgId, kind: 'admin', amountMicros, reason: 'test', grantedBy: 'test', effectiveAt, expiresAt });
  const addCost = async (orgId: string, hourAt: Date, costMicros: number) =>
    (await db()).insert(schema.usageHourly).values({ orgId, hour: hourAt, subject: 'sbtest', kind: 'compute', durationMs: 1, vcpuMilliMs: '0', memMibMs: '0', diskByteMs: '0', cpuMs: 0, costMicros });

  it('derives the balance from the ledger and the metered hours, with each credit’s remainder', async () => {
    const orgId = await orgWithoutMonthlyCredit();
    const now = new Date();
    const thisHour = new Date(Math.floor(now.getTime() / H) * H);
    await addGrant(orgId, 1000, new Date(thisHour.getTime() - 5 * H), null);
    await addGrant(orgId, 300, new Date(thisHour.getTime() - 5 * H), new Date(now.getTime() + 24 * H));
    await addCost(orgId, new Date(thisHour.getTime() - 4 * H), 250);
    await addCost(orgId, new Date(thisHour.getTime() - 3 * H), 100);
    const b = await orgBalance(orgId, now);
    expect(b.balanceMicros).toBe(950);
    expect(b.credits.map((c) => [c.amountMicros, c.remainingMicros])).toEqual([
      [300, 0], // expires first, so it paid first
      [1000, 950],
    ]);
    expect(b.uncoveredMicros).toBe(0);
  });

  it('grants this month’s plan credit once, however many consoles ask at the same moment', async () => {
    const { scope } = await makeOrg();
    await planFor(scope.orgId, { monthlyCreditMicros: 7_000_000 });
    const now = new Date();
    await Promise.all(Array.from({ length: 12 }, () => ensureMonthlyCredit(scope.orgId, now)));
    const d = await db();
    const grants = await d.select().from(schema.creditGrants).where(eq(schema.creditGrants.orgId, scope.orgId));
    expect(grants).toHaveLength(1);
    expect(grants[0]).toMatchObject({ kind: 'monthly', amountMicros: 7_000_000, periodKey: now.toISOString().slice(0, 7) });
    expect(grants[0]!.effectiveAt.toISOString()).toBe(`${now.toISOString().slice(0, 7)}-01T00:00:00.000Z`);
    const audits = await d
      .select()
      .from(schema.auditEvents)
      .where(and(eq(schema.auditEvents.orgId, scope.orgId), eq(schema.auditEvents.action, 'billing.credit.grant')));
    expect(audits).toHaveLength(1);
    expect((await orgBalance(scope.orgId, now)).balanceMicros).toBe(7_000_000);

    // Next month: a new grant; this month's unused credit does not carry over (Free's refreshes).
    const next = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 3));
    await Promise.all([ensureMonthlyCredit(scope.orgId, next), ensureMonthlyCredit(scope.orgId, next)]);
    const b = await orgBalance(scope.orgId, next);
    expect(b.balanceMicros).toBe(7_000_000);
    expect(b.credits).toHaveLength(1);
    expect(b.credits[0]!.expiresAt).toBe(new Date(Date.UTC(next.getUTCFullYear(), next.getUTCMonth() + 1, 1)).toISOString());
  });
});
