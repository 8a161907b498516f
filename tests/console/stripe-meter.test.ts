import { spawn } from 'node:child_process';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { closeDb, getDb, schema } from '@/db';
import { grantCredit } from '@/lib/billing/credits';
import { floorHour, HOUR_MS } from '@/lib/billing/period';
import { meterIdentifier } from '@/lib/stripe/meter-plan';
import { REPORT_RETRY_MS } from '@/lib/stripe/meter-send';
import { reportUsage } from '@/lib/stripe/reconciler';
import { makePlatformAdmin } from './helpers/billing';
import { makeKey, makeOrg } from './helpers/fixtures';
import { meterUsage, orgRow, payAsYouGo, STRIPE_ENV, type StripeWorld, useStripe, v1 } from './helpers/stripe';

/**
 * Usage reported to Stripe's billing meter: once per org and closed hour, only what credit did
 * not pay, corrected when usage arrives late, retried with back-off, and exactly once in
 * Stripe's count even when the reporter is killed between Stripe's answer and its own record.
 */
let w: StripeWorld;
beforeAll(async () => {
  w = await useStripe();
});
afterAll(async () => {
  await w?.close();
  await closeDb();
});

const H = HOUR_MS;

/**
 * An org on a plan with no credit ($0.06 per vCPU-minute), which added a card (setup Checkout,
 * so it has a metered subscription from Stripe's now `t0`). Returns the first hour its
 * subscription covers and a clock `at(h)` for the Stripe time `h` hours after that hour began
 * (Stripe's clock is moved there before each report, as time passing would).
 */
async function meteredOrg() {
  const { scope } = await makeOrg();
  await payAsYouGo(scope.orgId);
  const key = await makeKey(scope, 'owner');
  const res = await v1(w, 'POST', '/billing/checkout', { key, body: { mode: 'setup' } });
  w.fake.flows.completeCheckout(res.json.id);
  await w.fake.webhooks.settled();
  expect((await orgRow(scope.orgId)).hasPaymentMethod).toBe(true);
  const first = floorHour(new Date(w.fake.store.now() * 1000));
  const realOffset = w.fake.store.offset;
  const at = (hours: number) => {
    const t = new Date(first.getTime() + hours * H);
    w.fake.store.offset = Math.max(w.fake.store.offset, realOffset + Math.ceil((t.getTime() - first.getTime()) / 1000));
    return t;
  };
  const hour = (h: number) => new Date(first.getTime() + h * H);
  return { scope, orgId: scope.orgId, customer: (await orgRow(scope.orgId)).stripeCustomerId!, hour, at };
}

const report = (orgId: string, now: Date) => reportUsage({ now, settleMs: 0, orgIds: [orgId] });
const eventsOf = (customer: string) => [...w.fake.store.meterEvents.values()].filter((e) => e.payload.stripe_customer_id === customer).sort((a, b) => a.timestamp - b.timestamp);
const requestsOf = (orgId: string) => w.fake.store.meterRequests.filter((r) => r.identifier.startsWith(`wrn-${orgId}-`));
async function rows(orgId: string) {
  const db = await getDb();
  return db.select().from(schema.stripeMeterReports).where(eq(schema.stripeMeterReports.orgId, orgId)).orderBy(schema.stripeMeterReports.hour, schema.stripeMeterReports.seq);
}

describe('reporting closed hours', () => {
  it('sends each closed hour’s uncovered cost once, with its identifier and hour; open hours and hours before the card wait', async () => {
    const o = await meteredOrg();
    await meterUsage(o.orgId, new Date(o.hour(-1).getTime() + 5 * 60_000), 30); // before the subscription
    await meterUsage(o.orgId, new Date(o.hour(1).getTime() + 10 * 60_000), 30); // $1.80
    await meterUsage(o.orgId, o.hour(2), 15); // $0.90
    await meterUsage(o.orgId, o.hour(3), 20); // still open at the report below
    const first = await report(o.orgId, o.at(3.5));
    expect(first).toMatchObject({ planned: 2, reported: 2, retrying: 0, failed: 0 });
    expect(eventsOf(o.customer).map((e) => ({ identifier: e.identifier, value: e.payload.value, timestamp: e.timestamp, event_name: e.event_name }))).toEqual([
      { identifier: meterIdentifier(o.orgId, o.hour(1), 0), value: '1800000', timestamp: o.hour(1).getTime() / 1000, event_name: STRIPE_ENV.STRIPE_METER_EVENT_NAME },
      { identifier: meterIdentifier(o.orgId, o.hour(2), 0), value: '900000', timestamp: o.hour(2).getTime() / 1000, event_name: STRIPE_ENV.STRIPE_METER_EVENT_NAME },
    ]);
    // Nothing new to say: a second pass sends nothing.
    expect(await report(o.orgId, o.at(3.6))).toMatchObject({ planned: 0, reported: 0 });
    expect(requestsOf(o.orgId)).toHaveLength(2);
    // Hour 3 once it is over.
    expect(await report(o.orgId, o.at(4.1))).toMatchObject({ planned: 1, reported: 1 });
    expect(eventsOf(o.customer).map((e) => e.payload.value)).toEqual(['1800000', '900000', '1200000']);
    expect((await rows(o.orgId)).map((r) => r.status)).toEqual(['reported', 'reported', 'reported']);
  });

  it('never reports what credit paid for, and reports usage that arrives late as a correction', async () => {
    const o = await meteredOrg();
    const admin = await makePlatformAdmin();
    await grantCredit(admin, o.orgId, { amountMicros: 1_000_000, reason: 'test credit' }, o.hour(0));
    await meterUsage(o.orgId, o.hour(1), 30); // $1.80, $1.00 of it paid by the credit
    await report(o.orgId, o.at(2.2));
    expect(eventsOf(o.customer).map((e) => e.payload.value)).toEqual(['800000']);
    // A runner that was down hands in ten more minutes of hour 1.
    await meterUsage(o.orgId, new Date(o.hour(1).getTime() + 40 * 60_000), 10);
    expect(await report(o.orgId, o.at(2.4))).toMatchObject({ planned: 1, reported: 1 });
    expect(eventsOf(o.customer).map((e) => [e.identifier, e.payload.value])).toEqual([
      [meterIdentifier(o.orgId, o.hour(1), 0), '800000'],
      [meterIdentifier(o.orgId, o.hour(1), 1), '600000'],
    ]);
    // Stripe's meter now holds the hour's whole uncovered cost, and the next invoice bills it.
    const sub = [...w.fake.store.subscriptions.values()].find((s) => s.customer === o.customer)!;
    expect(w.fake.store.usage(o.customer, 0, Number.MAX_SAFE_INTEGER)).toBe(1_400_000);
    const invoice = w.fake.flows.cycle(sub.id);
    expect(invoice.lines.data.find((l) => l.description === STRIPE_ENV.STRIPE_USAGE_PRICE_ID)?.amount).toBe(140); // cents
  });

  it('two consoles reporting at once still send each hour once', async () => {
    const o = await meteredOrg();
    for (const h of [1, 2, 3]) await meterUsage(o.orgId, o.hour(h), 5);
    const now = o.at(4.2);
    await Promise.all([report(o.orgId, now), report(o.orgId, now), report(o.orgId, now)]);
    expect(eventsOf(o.customer)).toHaveLength(3);
    expect(requestsOf(o.orgId)).toHaveLength(3);
    expect((await rows(o.orgId)).map((r) => [r.seq, r.status])).toEqual([[0, 'reported'], [0, 'reported'], [0, 'reported']]);
  });
});

describe('failures', () => {
  it('retries a report Stripe could not take, after the back-off and not before', async () => {
    const o = await meteredOrg();
    await meterUsage(o.orgId, o.hour(1), 10);
    const now = o.at(2.1);
    w.fake.failNext('/v1/billing/meter_events', 3); // the SDK's own two retries fail too
    expect(await report(o.orgId, now)).toMatchObject({ planned: 1, reported: 0, retrying: 1 });
    const [row] = await rows(o.orgId);
    expect(row).toMatchObject({ status: 'pending', attempts: 1, lastError: expect.stringContaining('fake outage') });
    expect(row!.nextAttemptAt!.getTime()).toBe(now.getTime() + REPORT_RETRY_MS[0]!);
    expect(await report(o.orgId, new Date(now.getTime() + REPORT_RETRY_MS[0]! - 1000))).toMatchObject({ reported: 0, retrying: 0 });
    expect(await report(o.orgId, new Date(now.getTime() + REPORT_RETRY_MS[0]!))).toMatchObject({ reported: 1 });
    expect(eventsOf(o.customer).map((e) => e.payload.value)).toEqual(['600000']);
    expect((await rows(o.orgId))[0]).toMatchObject({ status: 'reported', attempts: 2, lastError: null });
  });

  it('a refusal for good (the customer is gone from Stripe) is recorded as failed and audited, not retried forever', async () => {
    const o = await meteredOrg();
    await meterUsage(o.orgId, o.hour(1), 10);
    w.fake.store.customers.delete(o.customer);
    expect(await report(o.orgId, o.at(2.1))).toMatchObject({ failed: 1 });
    expect((await rows(o.orgId))[0]).toMatchObject({ status: 'failed', lastError: expect.stringContaining('No such customer') });
    const db = await getDb();
    const audit = await db.select().from(schema.auditEvents).where(and(eq(schema.auditEvents.orgId, o.orgId), eq(schema.auditEvents.action, 'billing.meter_report_failed')));
    expect(audit).toHaveLength(1);
  });
});

describe('a reporter killed mid-way', () => {
  // tsx runs the script in a process of its own and exits 128 + the signal that killed it: 137 is SIGKILL.
  function child(now: Date, orgId: string, fault: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }> {
    const c = spawn(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'tests/console/helpers/meter-child.ts'], {
      env: { ...process.env, NODE_ENV: 'test', DATABASE_URL: inject('databaseUrl'), METER_NOW: now.toISOString(), METER_ORGS: orgId, WARREN_STRIPE_FAULT: fault, WARREN_LOG_LEVEL: 'debug' },
      cwd: process.cwd(),
    });
    let output = '';
    c.stdout!.on('data', (d) => (output += d));
    c.stderr!.on('data', (d) => (output += d));
    return new Promise((resolve) => c.on('close', (code, signal) => resolve({ code, signal, output })));
  }

  it('between Stripe’s answer and its record: the retry sends the same identifier and Stripe counts each hour once', async () => {
    const o = await meteredOrg();
    await meterUsage(o.orgId, o.hour(1), 10);
    await meterUsage(o.orgId, o.hour(2), 20);
    const now = o.at(3.1);
    const killed = await child(now, o.orgId, 'after-meter-report');
    expect([killed.code, killed.signal], killed.output).toEqual([137, null]);
    for (const secret of [STRIPE_ENV.STRIPE_SECRET_KEY, STRIPE_ENV.STRIPE_WEBHOOK_SECRET]) expect(killed.output).not.toContain(secret);
    // Stripe took hour 1; Warren's row still says pending (leased by the dead process).
    expect(requestsOf(o.orgId).map((r) => r.identifier)).toEqual([meterIdentifier(o.orgId, o.hour(1), 0)]);
    expect((await rows(o.orgId)).map((r) => r.status)).toEqual(['pending', 'pending']);
    // Once the dead process's lease runs out, the next pass finishes the job.
    expect(await report(o.orgId, new Date(now.getTime() + 3 * 60_000))).toMatchObject({ planned: 0, reported: 2 });
    expect(requestsOf(o.orgId).map((r) => [r.identifier.slice(-13), r.replayed])).toEqual([
      [meterIdentifier(o.orgId, o.hour(1), 0).slice(-13), false],
      [meterIdentifier(o.orgId, o.hour(1), 0).slice(-13), true],
      [meterIdentifier(o.orgId, o.hour(2), 0).slice(-13), false],
    ]);
    expect(eventsOf(o.customer).map((e) => e.payload.value)).toEqual(['600000', '1200000']);
    expect((await rows(o.orgId)).map((r) => [r.seq, r.status])).toEqual([[0, 'reported'], [0, 'reported']]);
  });

  it('after the report was planned and before it was sent: the retry sends it', async () => {
    const o = await meteredOrg();
    await meterUsage(o.orgId, o.hour(1), 10);
    const now = o.at(2.1);
    const killed = await child(now, o.orgId, 'before-meter-report');
    expect([killed.code, killed.signal], killed.output).toEqual([137, null]);
    expect(requestsOf(o.orgId)).toEqual([]);
    // Its debug log never holds a Stripe secret.
    for (const secret of [STRIPE_ENV.STRIPE_SECRET_KEY, STRIPE_ENV.STRIPE_WEBHOOK_SECRET]) expect(killed.output).not.toContain(secret);
    expect(await report(o.orgId, new Date(now.getTime() + 3 * 60_000))).toMatchObject({ planned: 0, reported: 1 });
    expect(eventsOf(o.customer).map((e) => e.payload.value)).toEqual(['600000']);
  });
});
