import { eq } from 'drizzle-orm';
import { getDb, schema, type Tx } from '@/db';
import { lockMeter } from '@/lib/usage/ingest';
import { closeOpen, openPeriod, recomputeRollups, Touched } from '@/lib/usage/periods';
import { type FakeStripe, startFakeStripe } from '../../fake-stripe/server';
import { makePlan, putOnPlan } from './billing';
import { uniq } from './fixtures';
import { startConsoleApi } from './next-like';

/**
 * Stripe for a test file: the console's route handlers behind its real front door on a loopback
 * port, the fake Stripe (tests/fake-stripe) delivering signed webhooks to it, and the environment
 * that turns Stripe on and points the official SDK at the fake. The metered usage price is
 * 0.0001 cent per micro-dollar (so a reported $1.00 of usage invoices 100 cents).
 */
export const STRIPE_ENV = {
  STRIPE_SECRET_KEY: 'sk_test_warren_fake_secret_key',
  STRIPE_WEBHOOK_SECRET: 'whsec_warren_fake_webhook_secret',
  STRIPE_USAGE_PRICE_ID: 'price_warren_usage',
  STRIPE_METER_EVENT_NAME: 'warren_usage_micros',
} as const;

export type StripeWorld = {
  fake: FakeStripe;
  api: Awaited<ReturnType<typeof startConsoleApi>>;
  close(): Promise<void>;
};

export async function useStripe(): Promise<StripeWorld> {
  const api = await startConsoleApi();
  const fake = await startFakeStripe({
    secretKey: STRIPE_ENV.STRIPE_SECRET_KEY,
    webhookSecret: STRIPE_ENV.STRIPE_WEBHOOK_SECRET,
    meterEventName: STRIPE_ENV.STRIPE_METER_EVENT_NAME,
    webhookUrl: `${api.base}/api/stripe/webhook`,
  });
  fake.store.addPrice({ id: STRIPE_ENV.STRIPE_USAGE_PRICE_ID, metered: true, unitAmountDecimal: '0.0001' });
  Object.assign(process.env, STRIPE_ENV, { STRIPE_API_BASE: fake.base });
  return {
    fake,
    api,
    close: async () => {
      for (const k of [...Object.keys(STRIPE_ENV), 'STRIPE_API_BASE']) delete process.env[k];
      await fake.close();
      await api.close();
    },
  };
}

/** A plan offered to everyone and sold through Stripe at `dollars` a month (its own price id, so test files never collide). */
export async function sellablePlan(w: StripeWorld, dollars: number, fields: Parameters<typeof makePlan>[0] = {}): Promise<{ planId: string; priceId: string }> {
  const priceId = `price_${uniq()}`;
  w.fake.store.addPrice({ id: priceId, unitAmount: dollars * 100 });
  const planId = await makePlan({ custom: false, priceMicros: dollars * 1_000_000, stripePriceId: priceId, ...fields });
  return { planId, priceId };
}

/** A JSON request to the console over TCP, with an API key or a cookie. */
export async function v1(w: StripeWorld, method: string, path: string, init: { key?: string; cookie?: string; org?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = {};
  if (init.key) headers.authorization = `Bearer ${init.key}`;
  if (init.cookie) headers.cookie = init.cookie;
  if (init.org) headers['x-warren-org'] = init.org;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${w.api.base}/api/v1${path}`, { method, headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
  const text = await res.text();
  // biome-ignore lint/suspicious/noExplicitAny: inspected loosely in tests
  const json: any = text ? JSON.parse(text) : null;
  return { status: res.status, json };
}

export async function orgRow(orgId: string) {
  const db = await getDb();
  const [org] = await db.select().from(schema.orgs).where(eq(schema.orgs.id, orgId));
  return org!;
}

/**
 * Metered usage as the meter records it: a compute period of `vcpus` vCPUs (no memory) from
 * `start` for `minutes`, opened and closed through the meter's own functions under its lock,
 * priced with the org's plan and rolled up into its hour.
 */
export async function meterUsage(orgId: string, start: Date, minutes: number, vcpus = 1): Promise<void> {
  const db = await getDb();
  await db.transaction(async (tx: Tx) => {
    await lockMeter(tx);
    const subject = `sbx${uniq()}`;
    const touched = new Touched();
    await openPeriod(tx, { orgId, subject, sandboxId: subject, kind: 'compute', startedAt: start, vcpuMilli: vcpus * 1000, memoryMb: 0 });
    await closeOpen(tx, subject, ['compute'], new Date(start.getTime() + minutes * 60_000), touched);
    await recomputeRollups(tx, touched);
  });
}

/** An org on a plan with no monthly credit and a $3.60/vCPU-hour rate: every minute of a vCPU is uncovered $0.06. */
export async function payAsYouGo(orgId: string): Promise<void> {
  const planId = await makePlan({ monthlyCreditMicros: 0, vcpuHourMicros: 3_600_000, memoryGibHourMicros: 0 });
  await putOnPlan(orgId, planId);
}
