import { and, eq } from 'drizzle-orm';
import { renderToStaticMarkup } from 'react-dom/server';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BillingBanners } from '@/components/billing/billing-banners';
import { closeDb, getDb, schema } from '@/db';
import { billingStatus } from '@/lib/billing/billing-view';
import type { FakeEvent } from '../fake-stripe/webhooks';
import { makePlan, putOnPlan } from './helpers/billing';
import { addMember, makeKey, makeOrg } from './helpers/fixtures';
import { orgRow, STRIPE_ENV, sellablePlan, type StripeWorld, useStripe, v1 } from './helpers/stripe';

/**
 * The webhook endpoint as Stripe uses it: signed, late, twice and out of order. Each case ends
 * with what the org has, which must be what the newest state in Stripe says.
 */
let w: StripeWorld;
let pro: { planId: string; priceId: string };
let team: { planId: string; priceId: string };
beforeAll(async () => {
  w = await useStripe();
  [pro, team] = [await sellablePlan(w, 20), await sellablePlan(w, 100)];
});
afterAll(async () => {
  await w?.close();
  await closeDb();
});

/** An org subscribed to Pro through Checkout, every webhook delivered in order. */
async function subscribed() {
  const { scope, owner } = await makeOrg();
  const key = await makeKey(scope, 'owner');
  const res = await v1(w, 'POST', '/billing/checkout', { key, body: { planId: pro.planId } });
  w.fake.flows.completeCheckout(res.json.id);
  await w.fake.webhooks.settled();
  const customer = (await orgRow(scope.orgId)).stripeCustomerId!;
  const sub = [...w.fake.store.subscriptions.values()].find((s) => s.customer === customer)!;
  return { scope, owner, key, customer, sub };
}

/** Runs `act` with webhooks held, and returns the events it caused. */
async function holding(act: () => void): Promise<FakeEvent[]> {
  w.fake.webhooks.mode = 'hold';
  try {
    act();
  } finally {
    w.fake.webhooks.mode = 'auto';
  }
  return w.fake.webhooks.takeHeld();
}
const deliver = async (events: FakeEvent[]) => {
  for (const e of events) expect((await w.fake.webhooks.send(e)).status).toBe(200);
};

describe('signatures', () => {
  it('refuses a bad, missing or foreign-secret signature with a 400 and stores nothing', async () => {
    const { scope, sub } = await subscribed();
    const events = await holding(() => w.fake.flows.cancel(sub.id));
    const deleted = events.find((e) => e.type === 'customer.subscription.deleted')!;
    const sdk = new Stripe('sk_test_x');
    const payload = JSON.stringify(deleted);
    const url = `${w.api.base}/api/stripe/webhook`;
    const post = (headers: Record<string, string>, body = payload) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const cases = {
      missing: await post({}),
      garbage: await post({ 'stripe-signature': 't=1,v1=deadbeef' }),
      'other secret': await post({ 'stripe-signature': sdk.webhooks.generateTestHeaderString({ payload, secret: 'whsec_someone_else' }) }),
      'signed, then altered': await post({ 'stripe-signature': sdk.webhooks.generateTestHeaderString({ payload, secret: STRIPE_ENV.STRIPE_WEBHOOK_SECRET }) }, payload.replace('canceled', 'active')),
      'too old': await post({ 'stripe-signature': sdk.webhooks.generateTestHeaderString({ payload, secret: STRIPE_ENV.STRIPE_WEBHOOK_SECRET, timestamp: Math.floor(Date.now() / 1000) - 3600 }) }),
    };
    for (const [name, res] of Object.entries(cases)) {
      expect(res.status, name).toBe(400);
      expect((await res.json()).error.code, name).toBe('bad_request');
    }
    const db = await getDb();
    expect(await db.select().from(schema.stripeEvents).where(eq(schema.stripeEvents.id, deleted.id))).toEqual([]);
    expect(await orgRow(scope.orgId)).toMatchObject({ planId: pro.planId, hasPaymentMethod: true });
    // The same event, signed properly, is taken.
    await deliver([deleted]);
    expect(await orgRow(scope.orgId)).toMatchObject({ planId: 'free', hasPaymentMethod: false });
  });
});

describe('replays and order', () => {
  it('a replayed event changes nothing and is answered as a duplicate', async () => {
    const { scope } = await subscribed();
    const db = await getDb();
    const auditBefore = await db.select().from(schema.auditEvents).where(eq(schema.auditEvents.orgId, scope.orgId));
    const customer = (await orgRow(scope.orgId)).stripeCustomerId;
    const all = w.fake.webhooks.events.filter((e) => (e.data.object as { customer?: string }).customer === customer);
    expect(all.length).toBeGreaterThanOrEqual(5);
    for (const e of all) {
      const d = await w.fake.webhooks.send(e);
      expect(JSON.parse(d.body)).toEqual({ received: true, outcome: 'duplicate' });
    }
    expect(await db.select().from(schema.auditEvents).where(eq(schema.auditEvents.orgId, scope.orgId))).toHaveLength(auditBefore.length);
    expect(await orgRow(scope.orgId)).toMatchObject({ planId: pro.planId, hasPaymentMethod: true });
  });

  it('Checkout’s events delivered in reverse end exactly as in order: active, Pro, a payment method', async () => {
    const { scope } = await makeOrg();
    const key = await makeKey(scope, 'owner');
    const res = await v1(w, 'POST', '/billing/checkout', { key, body: { planId: pro.planId } });
    const events = await holding(() => w.fake.flows.completeCheckout(res.json.id));
    expect(events.map((e) => e.type)).toEqual(['customer.subscription.created', 'invoice.created', 'invoice.finalized', 'invoice.paid', 'customer.subscription.updated', 'checkout.session.completed']);
    await deliver([...events].reverse());
    expect(await orgRow(scope.orgId)).toMatchObject({ planId: pro.planId, hasPaymentMethod: true });
    const invoices = await v1(w, 'GET', '/billing/invoices', { key });
    expect(invoices.json.invoices).toEqual([expect.objectContaining({ status: 'paid', paymentFailedAt: null })]);
  });

  it('a stale subscription.updated never overwrites a newer state', async () => {
    const { scope, sub } = await subscribed();
    w.fake.store.offset += 10;
    const toTeam = await holding(() => w.fake.flows.switchPrice(sub.id, team.priceId));
    w.fake.store.offset += 10;
    const backToPro = await holding(() => w.fake.flows.switchPrice(sub.id, pro.priceId));
    await deliver([...backToPro, ...toTeam]);
    expect((await orgRow(scope.orgId)).planId).toBe(pro.planId);
    const db = await getDb();
    const outcomes = await db.select({ id: schema.stripeEvents.id, outcome: schema.stripeEvents.outcome }).from(schema.stripeEvents).where(eq(schema.stripeEvents.id, toTeam[0]!.id));
    expect(outcomes).toEqual([{ id: toTeam[0]!.id, outcome: 'stale' }]);

    // A cancellation, then an older update arriving late: the org stays cancelled.
    w.fake.store.offset += 10;
    const upgrade = await holding(() => w.fake.flows.switchPrice(sub.id, team.priceId));
    w.fake.store.offset += 10;
    const cancel = await holding(() => w.fake.flows.cancel(sub.id));
    await deliver([...cancel, ...upgrade]);
    expect(await orgRow(scope.orgId)).toMatchObject({ planId: 'free', hasPaymentMethod: false });
  });

  it('two states of the same second are settled by reading the subscription from Stripe, in either order', async () => {
    for (const order of [[0, 1], [1, 0]]) {
      const { scope, sub } = await subscribed();
      w.fake.store.offset += 10;
      // Both changes in one second: the event timestamps cannot order them. Stripe ends on Pro.
      const events = await holding(() => {
        w.fake.flows.switchPrice(sub.id, team.priceId);
        w.fake.flows.switchPrice(sub.id, pro.priceId);
      });
      expect(events[0]!.created).toBe(events[1]!.created);
      await deliver(order.map((i) => events[i]!));
      expect((await orgRow(scope.orgId)).planId, `delivered ${order}`).toBe(pro.planId);
    }
  });

  it('an event that cannot be finished now (Stripe does not answer the read it needs) is a 500, and Stripe’s retry applies it', async () => {
    const { scope } = await makeOrg();
    const key = await makeKey(scope, 'owner');
    const res = await v1(w, 'POST', '/billing/checkout', { key, body: { planId: pro.planId } });
    const events = await holding(() => w.fake.flows.completeCheckout(res.json.id));
    const completed = events.find((e) => e.type === 'checkout.session.completed')!;
    w.fake.failNext('/v1/subscriptions/', 3);
    const failed = await w.fake.webhooks.send(completed);
    expect(failed.status).toBe(500);
    expect(failed.body).not.toContain(STRIPE_ENV.STRIPE_SECRET_KEY);
    const db = await getDb();
    const [row] = await db.select().from(schema.stripeEvents).where(eq(schema.stripeEvents.id, completed.id));
    expect(row?.processedAt).toBeNull();
    expect((await orgRow(scope.orgId)).planId).toBe('free');
    await deliver([completed]);
    expect(await orgRow(scope.orgId)).toMatchObject({ planId: pro.planId, hasPaymentMethod: true });
  });

  it('a cancelled subscription returns its own plan to Free; a plan a platform admin set since stays through renewals and the end', async () => {
    const first = await subscribed();
    w.fake.store.offset += 5;
    w.fake.flows.cancel(first.sub.id);
    await w.fake.webhooks.settled();
    expect(await orgRow(first.scope.orgId)).toMatchObject({ planId: 'free', hasPaymentMethod: false });

    const second = await subscribed();
    const custom = await makePlan({});
    await putOnPlan(second.scope.orgId, custom);
    // A renewal (the same plan) leaves the admin's choice alone; so does the end.
    w.fake.store.offset += 5;
    w.fake.flows.cycle(second.sub.id);
    await w.fake.webhooks.settled();
    await w.fake.webhooks.send({ ...w.fake.webhooks.events.at(-1)!, id: `${w.fake.webhooks.events.at(-1)!.id}_x`, type: 'customer.subscription.updated', data: { object: w.fake.store.subscriptions.get(second.sub.id) } });
    expect((await orgRow(second.scope.orgId)).planId).toBe(custom);
    w.fake.store.offset += 5;
    w.fake.flows.cancel(second.sub.id);
    await w.fake.webhooks.settled();
    expect(await orgRow(second.scope.orgId)).toMatchObject({ planId: custom, hasPaymentMethod: false });
  });

  it('events of a customer that is not Warren’s are taken and ignored', async () => {
    const foreign = w.fake.store.customers.size;
    const res = await fetch(`${w.fake.base}/v1/customers`, { method: 'POST', headers: { authorization: `Bearer ${STRIPE_ENV.STRIPE_SECRET_KEY}` }, body: 'name=Other' });
    const other = (await res.json()) as { id: string };
    expect(w.fake.store.customers.size).toBe(foreign + 1);
    const events = await holding(() => w.fake.flows.createSubscription(other.id, [{ price: pro.priceId }], null, {}));
    for (const e of events) expect(JSON.parse((await w.fake.webhooks.send(e)).body).outcome).toBe('ignored');
  });
});

describe('a failed payment', () => {
  it('e-mails owners and billing members once, shows a banner, is audited; paying clears the banner', async () => {
    const { scope, owner, key, customer, sub } = await subscribed();
    const { user: biller } = await addMember(scope, 'billing');
    const { user: dev } = await addMember(scope, 'developer');
    w.fake.store.declining.add(customer);
    w.fake.store.offset += 10;
    const events = await holding(() => w.fake.flows.cycle(sub.id));
    expect(events.map((e) => e.type)).toEqual(['invoice.created', 'invoice.finalized', 'invoice.payment_failed', 'customer.subscription.updated']);
    await deliver(events);
    await deliver(events.filter((e) => e.type === 'invoice.payment_failed').map((e) => ({ ...e, id: `${e.id}_again` })));

    const db = await getDb();
    const mail = await db.select().from(schema.mailOutbox).where(and(eq(schema.mailOutbox.orgId, scope.orgId), eq(schema.mailOutbox.kind, 'payment_failed')));
    expect(mail.map((m) => m.to).sort()).toEqual([owner.email, biller.email].sort());
    expect(mail.map((m) => m.to)).not.toContain(dev.email);
    expect(mail[0]!.subject).toBe('Payment failed for Test org on Warren');
    expect(mail[0]!.text).toContain('We could not collect $20.00 for invoice FAKE-');
    expect(mail[0]!.text).toContain(`/${scope.orgSlug}/billing`);

    const status = await billingStatus(scope.orgId);
    expect(status.paymentFailed).toMatchObject({ amountDueMicros: 20_000_000, currency: 'usd' });
    const banner = renderToStaticMarkup(BillingBanners({ status, slug: scope.orgSlug, canBill: true }));
    expect(banner).toContain('banner-payment-failed');
    expect(banner).toContain('Payment failed');
    expect(banner).toContain('$20.00');
    // past_due keeps the plan and the payment method while Stripe retries.
    expect(await orgRow(scope.orgId)).toMatchObject({ planId: pro.planId, hasPaymentMethod: true });
    const audit = await db.select().from(schema.auditEvents).where(and(eq(schema.auditEvents.orgId, scope.orgId), eq(schema.auditEvents.action, 'billing.payment_failed')));
    expect(audit).toHaveLength(1);
    const list = await v1(w, 'GET', '/billing/invoices', { key });
    expect(list.json.invoices[0]).toMatchObject({ status: 'open', paymentFailedAt: expect.any(String) });

    // The card is fixed and Stripe's retry succeeds: the banner goes.
    w.fake.store.declining.delete(customer);
    w.fake.store.offset += 10;
    const paid = await holding(() => w.fake.flows.retry((events[0]!.data.object as { id: string }).id));
    await deliver(paid);
    expect((await billingStatus(scope.orgId)).paymentFailed).toBeNull();
    expect(renderToStaticMarkup(BillingBanners({ status: await billingStatus(scope.orgId), slug: scope.orgSlug, canBill: true }))).not.toContain('banner-payment-failed');
  });
});
