import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as webhook from '@/app/api/stripe/webhook/route';
import * as billing from '@/app/api/v1/billing/route';
import * as checkout from '@/app/api/v1/billing/checkout/route';
import * as invoices from '@/app/api/v1/billing/invoices/route';
import * as portal from '@/app/api/v1/billing/portal/route';
import { closeDb, getDb, schema } from '@/db';
import { ROLES, type Role } from '@/lib/auth/permissions';
import type { OrgScope, UserScope } from '@/lib/auth/scope';
import * as planById from '@/app/api/admin/plans/[id]/route';
import * as plans from '@/app/api/admin/plans/route';
import { makePlan, makePlatformAdmin } from './helpers/billing';
import { addMember, call, makeKey, makeOrg, makeUser, req } from './helpers/fixtures';
import { signInAs } from './helpers/session';
import { orgRow, STRIPE_ENV, sellablePlan, type StripeWorld, useStripe } from './helpers/stripe';

/** Who may call the Stripe routes, another org's view of them, bad input, and local mode. */
let w: StripeWorld;
let scope: OrgScope;
let keys: Record<Role, string>;
let stranger: UserScope;
let pro: { planId: string; priceId: string };
beforeAll(async () => {
  w = await useStripe();
  pro = await sellablePlan(w, 20);
  ({ scope } = await makeOrg());
  keys = Object.fromEntries(await Promise.all(ROLES.map(async (r) => [r, await makeKey(scope, r)] as const))) as Record<Role, string>;
  stranger = await makeUser();
});
afterAll(async () => {
  signInAs(null);
  await w?.close();
  await closeDb();
});

type Route = Parameters<typeof call>[0];
const v1 = (route: Route, method: string, path: string, init: { key?: string; body?: unknown; org?: string; rawBody?: string } = {}) =>
  call(route, req(method, `/api/v1${path}`, { key: init.key, body: init.body, rawBody: init.rawBody, headers: init.org ? { 'x-warren-org': init.org } : {} }));

async function auditCount(orgId: string) {
  const db = await getDb();
  return (await db.select().from(schema.auditEvents).where(eq(schema.auditEvents.orgId, orgId))).length;
}

describe('the role matrix', () => {
  const expected: Record<string, Record<Role, number>> = {
    'POST /billing/checkout': { owner: 201, admin: 403, developer: 403, viewer: 403, billing: 201 },
    'POST /billing/portal': { owner: 201, admin: 403, developer: 403, viewer: 403, billing: 201 },
    'GET /billing/invoices': { owner: 200, admin: 200, developer: 403, viewer: 403, billing: 200 },
  };
  const routes: Record<string, [Route, string, string, unknown?]> = {
    'POST /billing/checkout': [checkout.POST, 'POST', '/billing/checkout', { mode: 'setup' }],
    'POST /billing/portal': [portal.POST, 'POST', '/billing/portal', {}],
    'GET /billing/invoices': [invoices.GET, 'GET', '/billing/invoices'],
  };
  for (const [name, [route, method, path, body]] of Object.entries(routes)) {
    it(name, async () => {
      const got: Record<string, number> = {};
      for (const r of ROLES) got[r] = (await v1(route, method, path, { key: keys[r], body })).status;
      expect(got).toEqual(expected[name]);
    });
  }

  it('signed in: a billing member opens Checkout; someone outside the org gets a 404 and no customer is made', async () => {
    const { scope: other } = await makeOrg();
    const { user: biller } = await addMember(other, 'billing');
    signInAs(biller);
    expect((await v1(checkout.POST, 'POST', '/billing/checkout', { org: other.orgSlug, body: { planId: pro.planId } })).status).toBe(201);
    signInAs(stranger);
    for (const [route, method, path, body] of [
      [checkout.POST, 'POST', '/billing/checkout', { planId: pro.planId }],
      [portal.POST, 'POST', '/billing/portal', {}],
      [invoices.GET, 'GET', '/billing/invoices', undefined],
    ] as const) {
      const res = await v1(route, method, path, { org: scope.orgSlug, body });
      expect(res.status, path).toBe(404);
    }
    signInAs(null);
  });
});

describe('another org', () => {
  it('never sees this org’s invoices, and its cursor reads only its own', async () => {
    const a = await makeOrg();
    const b = await makeOrg();
    const [ka, kb] = [await makeKey(a.scope, 'owner'), await makeKey(b.scope, 'owner')];
    for (const [s, k] of [[a.scope, ka], [b.scope, kb]] as const) {
      const res = await v1(checkout.POST, 'POST', '/billing/checkout', { key: k, body: { planId: pro.planId } });
      w.fake.flows.completeCheckout(res.json.id);
      await w.fake.webhooks.settled();
      expect((await orgRow(s.orgId)).planId).toBe(pro.planId);
    }
    const listA = await v1(invoices.GET, 'GET', '/billing/invoices', { key: ka });
    const listB = await v1(invoices.GET, 'GET', '/billing/invoices', { key: kb });
    expect(listA.json.invoices).toHaveLength(1);
    expect(listB.json.invoices).toHaveLength(1);
    expect(listA.json.invoices[0].id).not.toBe(listB.json.invoices[0].id);
    // A second invoice for A (its next period), then A's pages, and B given A's cursor.
    const customerA = (await orgRow(a.scope.orgId)).stripeCustomerId;
    w.fake.store.offset += 5;
    w.fake.flows.cycle([...w.fake.store.subscriptions.values()].find((x) => x.customer === customerA)!.id);
    await w.fake.webhooks.settled();
    const first = await v1(invoices.GET, 'GET', '/billing/invoices?limit=1', { key: ka });
    expect(first.json.nextCursor).toEqual(expect.any(String));
    const second = await v1(invoices.GET, 'GET', `/billing/invoices?limit=1&cursor=${first.json.nextCursor}`, { key: ka });
    expect(second.json.invoices).toHaveLength(1);
    expect(second.json.invoices[0].id).not.toBe(first.json.invoices[0].id);
    const idsA = [first.json.invoices[0].id, second.json.invoices[0].id];
    const bWithACursor = await v1(invoices.GET, 'GET', `/billing/invoices?cursor=${first.json.nextCursor}`, { key: kb });
    expect(bWithACursor.status).toBe(200);
    for (const inv of bWithACursor.json.invoices) expect(idsA).not.toContain(inv.id);
    // B's portal session is for B's customer, never A's.
    const pb = await v1(portal.POST, 'POST', '/billing/portal', { key: kb, body: {} });
    const session = [...w.fake.store.portalSessions.values()].find((p) => pb.json.url.endsWith(p.id))!;
    expect(session.customer).toBe((await orgRow(b.scope.orgId)).stripeCustomerId);
    expect(session.customer).not.toBe((await orgRow(a.scope.orgId)).stripeCustomerId);
  });
});

describe('bad input: a 400 and nothing stored (no customer, no session, no audit)', () => {
  it('refuses every malformed checkout, portal and invoices request', async () => {
    const { scope: s } = await makeOrg();
    const key = await makeKey(s, 'owner');
    const custom = await makePlan({ stripePriceId: `price_custom${Date.now()}` });
    const audit = await auditCount(s.orgId);
    const customers = w.fake.store.customers.size;
    const cases: Array<[Route, string, string, { body?: unknown; rawBody?: string }]> = [
      [checkout.POST, 'POST', '/billing/checkout', { body: {} }],
      [checkout.POST, 'POST', '/billing/checkout', { body: { planId: 'no-such-plan' } }],
      [checkout.POST, 'POST', '/billing/checkout', { body: { planId: 'free' } }], // no Stripe price
      [checkout.POST, 'POST', '/billing/checkout', { body: { planId: custom } }],
      [checkout.POST, 'POST', '/billing/checkout', { body: { planId: 'Pro!' } }],
      [checkout.POST, 'POST', '/billing/checkout', { body: { mode: 'setup', planId: pro.planId } }],
      [checkout.POST, 'POST', '/billing/checkout', { body: { mode: 'payment' } }],
      [checkout.POST, 'POST', '/billing/checkout', { body: { planId: pro.planId, priceId: 'price_x' } }],
      [checkout.POST, 'POST', '/billing/checkout', { rawBody: '{"planId":' }],
      [portal.POST, 'POST', '/billing/portal', { body: { flow: 'everything' } }],
      [portal.POST, 'POST', '/billing/portal', { body: { customer: 'cus_someone_else' } }],
      [invoices.GET, 'GET', '/billing/invoices?limit=0', {}],
      [invoices.GET, 'GET', '/billing/invoices?cursor=bm90LWEtY3Vyc29y', {}],
      [invoices.GET, 'GET', '/billing/invoices?customer=cus_x', {}],
    ];
    for (const [route, method, path, init] of cases) {
      const res = await v1(route, method, path, { key, ...init });
      expect(res.status, `${path} ${JSON.stringify(init)}`).toBe(400);
      expect(res.json.error.code).toMatch(/^(validation_failed|bad_request)$/);
    }
    // A plan change without a subscription to change is a 409, before any customer exists.
    expect((await v1(portal.POST, 'POST', '/billing/portal', { key, body: { flow: 'change_plan' } })).status).toBe(409);
    expect((await orgRow(s.orgId)).stripeCustomerId).toBeNull();
    expect(w.fake.store.customers.size).toBe(customers);
    expect(await auditCount(s.orgId)).toBe(audit);
  });
});

describe('a plan’s Stripe price (platform admins)', () => {
  it('is set and cleared with PATCH /api/admin/plans/:id, names one plan only, and is never copied to a new plan', async () => {
    const admin = await makePlatformAdmin();
    const a = await makePlan({ custom: false });
    const b = await makePlan({ custom: false });
    const price = `price_${a.replace(/-/g, '')}`;
    signInAs(admin);
    const patch = (id: string, body: unknown) => call(planById.PATCH, req('PATCH', `/api/admin/plans/${id}`, { body }), { id });
    const set = await patch(a, { stripePriceId: price });
    expect(set.status).toBe(200);
    expect(set.json.plan.stripePriceId).toBe(price);
    const taken = await patch(b, { stripePriceId: price });
    expect(taken.status).toBe(409);
    expect(taken.json.error.message).toContain(a);
    expect((await patch(b, { stripePriceId: 'prod_123' })).status).toBe(400);
    const copy = await call(plans.POST, req('POST', '/api/admin/plans', { body: { id: `c-${a.slice(2)}`, basedOn: a } }));
    expect(copy.status).toBe(201);
    expect(copy.json.plan.stripePriceId).toBeNull();
    expect((await patch(a, { stripePriceId: null })).json.plan.stripePriceId).toBeNull();
    expect((await patch(b, { stripePriceId: price })).status).toBe(200);
    signInAs(null);
  });
});

describe('local mode and a half configuration', () => {
  it('without STRIPE_SECRET_KEY the payment routes answer 409 naming the variables to set; the rest works', async () => {
    const saved = { ...process.env };
    try {
      for (const k of Object.keys(STRIPE_ENV)) delete process.env[k];
      const { scope: s } = await makeOrg();
      const key = await makeKey(s, 'owner');
      for (const [route, path, body] of [
        [checkout.POST, '/billing/checkout', { planId: pro.planId }],
        [portal.POST, '/billing/portal', {}],
      ] as const) {
        const res = await v1(route, 'POST', path, { key, body });
        expect(res.status, path).toBe(409);
        expect(res.json.error).toMatchObject({ code: 'stripe_not_configured', message: expect.stringContaining('STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET, STRIPE_USAGE_PRICE_ID') });
      }
      const hook = await call(webhook.POST, req('POST', '/api/stripe/webhook', { rawBody: '{}', headers: { 'stripe-signature': 't=1,v1=x' } }));
      expect(hook.status).toBe(409);
      const view = await v1(billing.GET, 'GET', '/billing', { key });
      expect(view.json.payment).toMatchObject({ provider: 'local', hasPaymentMethod: false, missing: ['STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET', 'STRIPE_USAGE_PRICE_ID'], plans: [] });
      expect(view.json.payment.message).toContain('local mode');
      expect((await v1(invoices.GET, 'GET', '/billing/invoices', { key })).json).toEqual({ invoices: [], nextCursor: null });
      expect((await orgRow(s.orgId)).stripeCustomerId).toBeNull();

      // A key alone: the answer names what is missing, never the key.
      process.env.STRIPE_SECRET_KEY = STRIPE_ENV.STRIPE_SECRET_KEY;
      const half = await v1(checkout.POST, 'POST', '/billing/checkout', { key, body: { planId: pro.planId } });
      expect(half.status).toBe(409);
      expect(half.json.error.message).toBe('Stripe is only partly configured on this Warren: set STRIPE_WEBHOOK_SECRET and STRIPE_USAGE_PRICE_ID as well (see the README, Stripe)');
      expect(JSON.stringify(half.json)).not.toContain(STRIPE_ENV.STRIPE_SECRET_KEY);
      expect(JSON.stringify((await v1(billing.GET, 'GET', '/billing', { key })).json)).not.toContain(STRIPE_ENV.STRIPE_SECRET_KEY);
    } finally {
      Object.assign(process.env, saved);
    }
  });
});
