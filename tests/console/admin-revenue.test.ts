import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as revenue from '@/app/api/admin/revenue/route';
import { getDb, schema } from '@/db';
import type { UserScope } from '@/lib/auth/scope';
import { newId } from '@/lib/ids';
import { adminCall } from './helpers/admin';
import { makePlatformAdmin } from './helpers/billing';
import { makeOrg } from './helpers/fixtures';
import { usePrivateDb } from './helpers/private-db';

/**
 * The revenue page's numbers for a past month, in a database of this file's own (they are
 * platform-wide sums): metered cost per day, the part credit paid under the balance's own
 * allocation rules (earlier usage of a long-lived grant included), credit granted, and
 * subscription revenue only when an invoices table exists.
 */
let drop: () => Promise<void>;
let admin: UserScope;
const M = '2014-05';
const at = (iso: string) => new Date(`${iso}Z`);

async function usage(orgId: string, hour: string, costMicros: number) {
  const subject = newId();
  await (await getDb()).insert(schema.usageHourly).values({
    orgId, hour: at(hour), subject, sandboxId: subject, kind: 'compute',
    durationMs: 3_600_000, vcpuMilliMs: '0', memMibMs: '0', diskByteMs: '0', cpuMs: 0, costMicros,
  });
}
async function grant(orgId: string, kind: 'admin' | 'monthly', amountMicros: number, effective: string, expires: string | null) {
  await (await getDb()).insert(schema.creditGrants).values({
    orgId, kind, amountMicros, reason: 'test', grantedBy: 'test', effectiveAt: at(effective), expiresAt: expires ? at(expires) : null,
    periodKey: kind === 'monthly' ? effective.slice(0, 7) : null,
  });
}

beforeAll(async () => {
  drop = await usePrivateDb('revenue');
  admin = await makePlatformAdmin();
  const [x, y, z, w] = await Promise.all([makeOrg(), makeOrg(), makeOrg(), makeOrg()]).then((r) => r.map((o) => o.scope.orgId));
  // x: $3 granted on the 1st, $2 used on the 1st and $2 on the 2nd → $1 of the 2nd not covered.
  await grant(x!, 'admin', 3_000_000, `${M}-01T00:00:00`, null);
  await usage(x!, `${M}-01T10:00:00`, 2_000_000);
  await usage(x!, `${M}-02T10:00:00`, 2_000_000);
  // y: no credit at all.
  await usage(y!, `${M}-03T10:00:00`, 500_000);
  // z: a $1 grant from April, $0.60 of it spent in April → $0.40 left for May's $0.70.
  await grant(z!, 'admin', 1_000_000, '2014-04-10T00:00:00', null);
  await usage(z!, '2014-04-11T10:00:00', 600_000);
  await usage(z!, `${M}-01T12:00:00`, 700_000);
  // w: May's plan credit pays its $0.30.
  await grant(w!, 'monthly', 1_000_000, `${M}-01T00:00:00`, '2014-06-01T00:00:00');
  await usage(w!, `${M}-05T10:00:00`, 300_000);
});
afterAll(() => drop());

const get = (qs: string) => adminCall(admin, revenue.GET, 'GET', `/api/admin/revenue${qs}`);

describe('GET /api/admin/revenue', () => {
  it('gives a month’s metered cost and the part credit paid, by day', async () => {
    const res = await get(`?month=${M}`);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ month: M, from: '2014-05-01T00:00:00.000Z', to: '2014-06-01T00:00:00.000Z' });
    expect(res.json.days).toHaveLength(31);
    const day = (d: string) => res.json.days.find((x: { day: string }) => x.day === `${M}-${d}`);
    expect(day('01')).toEqual({ day: `${M}-01`, costMicros: 2_700_000, creditMicros: 2_400_000, uncoveredMicros: 300_000, subscriptionMicros: null });
    expect(day('02')).toMatchObject({ costMicros: 2_000_000, creditMicros: 1_000_000, uncoveredMicros: 1_000_000 });
    expect(day('03')).toMatchObject({ costMicros: 500_000, creditMicros: 0, uncoveredMicros: 500_000 });
    expect(day('05')).toMatchObject({ costMicros: 300_000, creditMicros: 300_000 });
    expect(day('04')).toMatchObject({ costMicros: 0, creditMicros: 0 });
    expect(res.json.totals).toEqual({
      costMicros: 5_500_000,
      creditMicros: 3_700_000,
      uncoveredMicros: 1_800_000,
      grantedMicros: { admin: 3_000_000, monthly: 1_000_000, promo: 0 },
    });
    expect(res.json.topOrgs.map((t: { costMicros: number; creditMicros: number }) => [t.costMicros, t.creditMicros])).toEqual([
      [4_000_000, 3_000_000],
      [700_000, 400_000],
      [500_000, 0],
      [300_000, 300_000],
    ]);
  });

  it('says why there is no subscription revenue without Stripe, and reads paid invoices when there are', async () => {
    const without = await get(`?month=${M}`);
    expect(without.json.subscriptions).toEqual({ available: false, reason: expect.stringMatching(/Stripe/) });
    const db = await getDb();
    const { scope } = await makeOrg();
    const invoice = (id: string, created: string, paid: number, status = 'paid') => ({
      id,
      orgId: scope.orgId,
      customerId: 'cus_x',
      status,
      currency: 'usd',
      totalMicros: paid,
      amountDueMicros: paid,
      amountPaidMicros: paid,
      stripeCreated: new Date(created),
      version: 1,
    });
    await db.insert(schema.invoices).values([
      invoice('in_a', '2014-05-02T09:00:00Z', 20_000_000),
      invoice('in_b', '2014-05-02T11:00:00Z', 100_000_000),
      invoice('in_c', '2014-06-01T00:00:00Z', 1),
      invoice('in_d', '2014-05-03T00:00:00Z', 0, 'open'),
    ]);
    const withInvoices = await get(`?month=${M}`);
    expect(withInvoices.json.subscriptions).toEqual({ available: true, totalMicros: 120_000_000, byDay: { [`${M}-02`]: 120_000_000 } });
    expect(withInvoices.json.days[1]).toMatchObject({ day: `${M}-02`, subscriptionMicros: 120_000_000 });
    expect(withInvoices.json.days[0].subscriptionMicros).toBe(0);
    await db.delete(schema.invoices).where(sql`${schema.invoices.orgId} = ${scope.orgId}`);
  });

  it('defaults to this month; refuses a malformed month', async () => {
    const now = new Date();
    expect((await get('')).json.month).toBe(now.toISOString().slice(0, 7));
    for (const bad of ['2014-13', '2014-5', 'may', '1999-12', '2014-05-01', `${M}&x=1`]) {
      expect((await get(`?month=${bad}`)).status, bad).toBe(400);
    }
  });
});
