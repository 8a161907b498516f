import { isNotNull } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import { logger } from '@/lib/logger';
import { stripeClient, stripeErrorSummary } from './client';
import { storedCustomer } from './customers';
import { applyInvoice, invoiceState } from './invoices';
import { applySubscription, subState } from './subscriptions';
import { meterEveryMsFromEnv, meterSettleMsFromEnv, syncEveryMsFromEnv } from './config';
import { meteredOrgs, planMeterReports } from './meter-plan';
import { type SendResult, sendDueReports } from './meter-send';

const log = logger.child({ component: 'stripe-reconciler' });

/**
 * One pass of usage reporting: plan the reports every metered org's closed hours still need,
 * then send whatever is due (new reports, retries, and rows a crashed console left pending).
 * An org that fails is logged and tried again next pass; nothing here throws.
 */
export async function reportUsage(opts: { now?: Date; settleMs?: number; orgIds?: string[] } = {}): Promise<SendResult & { planned: number }> {
  const now = opts.now ?? new Date();
  const settleMs = opts.settleMs ?? meterSettleMsFromEnv();
  let planned = 0;
  const metered = await meteredOrgs(now);
  for (const orgId of opts.orgIds ? metered.filter((o) => opts.orgIds!.includes(o)) : metered) {
    try {
      planned += await planMeterReports(orgId, now, settleMs);
    } catch (err) {
      log.warn({ orgId, err: (err as Error).message }, 'could not plan meter reports for an org; next pass retries');
    }
  }
  const sent = await sendDueReports(now, 50, opts.orgIds);
  return { planned, ...sent };
}

/**
 * Re-reads an org's subscriptions and recent invoices from Stripe and applies them as fresh
 * states (lib/stripe/subscriptions.ts: a fresh read always wins). Webhooks are the fast path;
 * this heals whatever they missed (an endpoint that was down past Stripe's retries, a console
 * whose URL Stripe cannot reach). Stale-safe: events arriving later are ordered against it.
 */
export async function syncCustomer(orgId: string): Promise<{ subscriptions: number; invoices: number }> {
  const customer = await storedCustomer(orgId);
  if (!customer) return { subscriptions: 0, invoices: 0 };
  const stripe = stripeClient();
  const version = Math.floor(Date.now() / 1000);
  const subs = await stripe.subscriptions.list({ customer, status: 'all', limit: 100 });
  for (const s of subs.data) await applySubscription(orgId, subState(s), version, 'fetch');
  const invs = await stripe.invoices.list({ customer, limit: 100 });
  for (const i of invs.data) if (i.id) await applyInvoice(orgId, invoiceState(i), version, 'fetch');
  return { subscriptions: subs.data.length, invoices: invs.data.length };
}

/** Every org with a Stripe customer. */
export async function customerOrgs(): Promise<string[]> {
  const db = await getDb();
  const rows = await db.select({ id: schema.orgs.id }).from(schema.orgs).where(isNotNull(schema.orgs.stripeCustomerId));
  return rows.map((r) => r.id);
}

async function syncAll(): Promise<void> {
  for (const orgId of await customerOrgs()) {
    await syncCustomer(orgId).catch((err) => log.warn({ orgId, stripe: stripeErrorSummary(err) }, 'could not sync an org from Stripe'));
  }
}

/**
 * The Stripe reconciler's loop, beside the meter and the enforcer (lib/server/boot-hooks.ts):
 * usage reporting every WARREN_STRIPE_METER_SEC, a full re-read of customers every
 * WARREN_STRIPE_SYNC_SEC. One pass at a time; stopping waits for the pass in flight.
 */
export function startStripeReconciler(everyMs = meterEveryMsFromEnv(), syncEveryMs = syncEveryMsFromEnv()): () => Promise<void> {
  let running: Promise<unknown> | null = null;
  let stopped = false;
  let lastSync = 0;
  const tick = () => {
    if (running || stopped) return;
    running = (async () => {
      await reportUsage().catch((err) => log.error({ err: (err as Error).message }, 'usage reporting pass failed'));
      if (syncEveryMs > 0 && Date.now() - lastSync >= syncEveryMs) {
        lastSync = Date.now();
        await syncAll().catch((err) => log.error({ err: (err as Error).message }, 'Stripe sync pass failed'));
      }
    })().finally(() => {
      running = null;
    });
  };
  tick();
  const timer = setInterval(tick, everyMs);
  timer.unref();
  return async () => {
    stopped = true;
    clearInterval(timer);
    await running;
  };
}
