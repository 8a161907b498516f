import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDb, getDb, schema } from '@/db';
import type { OrgScope } from '@/lib/auth/scope';
import { makeKey, makeOrg } from './helpers/fixtures';
import { orgRow, STRIPE_ENV, sellablePlan, type StripeWorld, useStripe, v1 } from './helpers/stripe';

/**
 * Upgrading through Checkout, against the official SDK and the fake Stripe: the session, the
 * hosted page, the webhooks it sends, and what the org then has (plan, payment method, invoice).
 */
let w: StripeWorld;
let pro: { planId: string; priceId: string };
beforeAll(async () => {
  w = await useStripe();
  pro = await sellablePlan(w, 20);
});
afterAll(async () => {
  await w?.close();
  await closeDb();
});

async function org(): Promise<{ scope: OrgScope; key: string }> {
  const { scope } = await makeOrg();
  return { scope, key: await makeKey(scope, 'owner') };
}

describe('Checkout', () => {
  it('an owner subscribes: the hosted page redirects to Warren, the webhooks make the plan active with a payment method and a paid invoice', async () => {
    const { scope, key } = await org();
    const before = await v1(w, 'GET', '/billing', { key });
    expect(before.json.payment).toMatchObject({ provider: 'stripe', hasPaymentMethod: false, subscriptions: [] });
    expect(before.json.payment.plans).toContainEqual(expect.objectContaining({ id: pro.planId, priceMicros: 20_000_000 }));

    const res = await v1(w, 'POST', '/billing/checkout', { key, body: { planId: pro.planId } });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ mode: 'subscription', planId: pro.planId, url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/c\/pay\/cs_test_/) });
    // The customer was created for the org, once, with the org in its metadata.
    const customerId = (await orgRow(scope.orgId)).stripeCustomerId!;
    expect(w.fake.store.customers.get(customerId)?.metadata).toEqual({ warren_org_id: scope.orgId, warren_org_slug: scope.orgSlug });

    // The person pays on the hosted page and is sent back to Warren's Billing page.
    const page = await fetch(res.json.url);
    expect(await page.text()).toContain(pro.priceId);
    const paid = await fetch(res.json.url, { method: 'POST', body: new URLSearchParams({ outcome: 'pay' }), redirect: 'manual' });
    expect(paid.status).toBe(303);
    expect(paid.headers.get('location')).toBe(`http://localhost:3000/${scope.orgSlug}/billing?checkout=success&session_id=${res.json.id}`);
    await w.fake.webhooks.settled();
    expect(w.fake.webhooks.deliveries.filter((d) => d.status !== 200)).toEqual([]);

    const after = await v1(w, 'GET', '/billing', { key });
    expect(after.json.plan.id).toBe(pro.planId);
    expect(after.json.payment.hasPaymentMethod).toBe(true);
    expect(after.json.payment.subscriptions).toEqual([expect.objectContaining({ status: 'active', planId: pro.planId, live: true })]);
    const invoices = await v1(w, 'GET', '/billing/invoices', { key });
    expect(invoices.json.invoices).toEqual([
      expect.objectContaining({ status: 'paid', currency: 'usd', totalMicros: 20_000_000, amountPaidMicros: 20_000_000, number: expect.stringMatching(/^FAKE-/) }),
    ]);
    expect(invoices.json.invoices[0].hostedInvoiceUrl).toMatch(/\/i\/in_/);

    // A second subscription is refused: plans change in the portal.
    const again = await v1(w, 'POST', '/billing/checkout', { key, body: { planId: pro.planId } });
    expect(again.status).toBe(409);
    expect(again.json.error.message).toContain('portal');
    const db = await getDb();
    const audit = await db.select({ action: schema.auditEvents.action }).from(schema.auditEvents).where(eq(schema.auditEvents.orgId, scope.orgId));
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['billing.checkout.create', 'billing.stripe.customer_create', 'billing.plan.change', 'billing.payment_method.add']));
  });

  it('a declined card leaves everything as it was', async () => {
    const { scope, key } = await org();
    const res = await v1(w, 'POST', '/billing/checkout', { key, body: { planId: pro.planId } });
    const declined = await fetch(res.json.url, { method: 'POST', body: new URLSearchParams({ outcome: 'decline' }), redirect: 'manual' });
    expect(declined.status).toBe(402);
    expect(await declined.text()).toContain('declined');
    await w.fake.webhooks.settled();
    expect(await orgRow(scope.orgId)).toMatchObject({ planId: 'free', hasPaymentMethod: false });
  });

  it('adding a card (setup mode) subscribes the org to metered usage without changing its plan', async () => {
    const { scope, key } = await org();
    const res = await v1(w, 'POST', '/billing/checkout', { key, body: { mode: 'setup' } });
    expect(res.status).toBe(201);
    w.fake.flows.completeCheckout(res.json.id);
    await w.fake.webhooks.settled();
    const o = await orgRow(scope.orgId);
    expect(o).toMatchObject({ planId: 'free', hasPaymentMethod: true });
    const customer = w.fake.store.customers.get(o.stripeCustomerId!)!;
    expect(customer.invoice_settings.default_payment_method).toMatch(/^pm_/);
    const subs = [...w.fake.store.subscriptions.values()].filter((s) => s.customer === customer.id);
    expect(subs.map((s) => s.items.data.map((i) => i.price.id))).toEqual([['price_warren_usage']]);
    // The replayed checkout event makes no second subscription (Stripe idempotency key per session).
    const completed = w.fake.webhooks.events.find((e) => e.type === 'checkout.session.completed' && (e.data.object as { id: string }).id === res.json.id)!;
    await w.fake.webhooks.send({ ...completed, id: `${completed.id}_replay` });
    expect([...w.fake.store.subscriptions.values()].filter((s) => s.customer === customer.id)).toHaveLength(1);
  });

  it('the portal opens for the org’s customer, and a plan switch there changes the plan', async () => {
    const { scope, key } = await org();
    const team = await sellablePlan(w, 100);
    const res = await v1(w, 'POST', '/billing/checkout', { key, body: { planId: pro.planId } });
    w.fake.flows.completeCheckout(res.json.id);
    await w.fake.webhooks.settled();
    const portal = await v1(w, 'POST', '/billing/portal', { key, body: { flow: 'change_plan' } });
    expect(portal.status).toBe(201);
    const session = [...w.fake.store.portalSessions.values()].find((p) => portal.json.url.endsWith(p.id))!;
    expect(session).toMatchObject({ customer: (await orgRow(scope.orgId)).stripeCustomerId, return_url: `http://localhost:3000/${scope.orgSlug}/billing`, flow: { type: 'subscription_update' } });
    const sub = [...w.fake.store.subscriptions.values()].find((s) => s.customer === session.customer)!;
    w.fake.store.offset += 2; // a later second than the subscription's creation
    const switched = await fetch(`${portal.json.url}/switch`, { method: 'POST', body: new URLSearchParams({ subscription: sub.id, price: team.priceId }), redirect: 'manual' });
    expect(switched.status).toBe(303);
    await w.fake.webhooks.settled();
    expect((await orgRow(scope.orgId)).planId).toBe(team.planId);
  });

  it('an org with a live subscription cannot be deleted until it is cancelled (Stripe would go on charging)', async () => {
    const { scope, key } = await org();
    const res = await v1(w, 'POST', '/billing/checkout', { key, body: { planId: pro.planId } });
    w.fake.flows.completeCheckout(res.json.id);
    await w.fake.webhooks.settled();
    const refused = await v1(w, 'DELETE', '/org', { key, body: { confirm: scope.orgSlug } });
    expect(refused.status).toBe(409);
    expect(refused.json.error.message).toContain('cancel it first');
    expect((await orgRow(scope.orgId)).id).toBe(scope.orgId);
    const customer = (await orgRow(scope.orgId)).stripeCustomerId;
    w.fake.store.offset += 2;
    w.fake.flows.cancel([...w.fake.store.subscriptions.values()].find((s) => s.customer === customer)!.id);
    await w.fake.webhooks.settled();
    expect((await v1(w, 'DELETE', '/org', { key, body: { confirm: scope.orgSlug } })).status).toBe(200);
  });

  it('Stripe failing answers 502 with its reason, and the next try works', async () => {
    const { scope, key } = await org();
    w.fake.failNext('/v1/checkout/sessions', 3); // the SDK retries twice itself
    const res = await v1(w, 'POST', '/billing/checkout', { key, body: { planId: pro.planId } });
    expect(res.status).toBe(502);
    expect(res.json.error).toMatchObject({ code: 'bad_gateway', message: expect.stringContaining('Stripe refused or did not answer while opening Checkout') });
    expect(JSON.stringify(res.json)).not.toContain(STRIPE_ENV.STRIPE_SECRET_KEY);
    const customer = (await orgRow(scope.orgId)).stripeCustomerId;
    const again = await v1(w, 'POST', '/billing/checkout', { key, body: { planId: pro.planId } });
    expect(again.status).toBe(201);
    expect((await orgRow(scope.orgId)).stripeCustomerId).toBe(customer);
  });
});
