import { eq } from 'drizzle-orm';
import { ZodError } from 'zod';
import { getDb, schema } from '@/db';
import { recordAudit } from '@/lib/audit/audit';
import type { OrgScope } from '@/lib/auth/scope';
import { AppError, conflict } from '@/lib/errors';
import { env } from '@/lib/env';
import { type CheckoutBody, checkoutBody, type PortalBody, portalBody } from '@/lib/schemas/stripe';
import { type Stripe, stripeCallError, stripeClient } from './client';
import { requireStripe } from './config';
import { ensureCustomer } from './customers';
import { liveSubscription } from './subscriptions';

const { plans, orgs } = schema;

const invalid = (path: string, message: string, input: unknown) => new ZodError([{ code: 'custom', path: [path], message, input }]);

async function billingUrl(orgId: string): Promise<string> {
  const db = await getDb();
  const [org] = await db.select({ slug: orgs.slug }).from(orgs).where(eq(orgs.id, orgId));
  return `${env().publicUrl}/${org!.slug}/billing`;
}

/**
 * POST /api/v1/billing/checkout: a Stripe Checkout Session. `{planId}` subscribes the org to the
 * plan's Stripe price plus the metered usage price; `{mode: "setup"}` only saves a card (then
 * usage past credit is invoiced). Everything is checked before anything is created: a plan that
 * does not exist, is custom or has no Stripe price is a 400; a second subscription is a 409 (plans
 * are changed in the portal). The customer is created on first use (lib/stripe/customers.ts).
 */
export async function createCheckout(scope: OrgScope, input: CheckoutBody) {
  const settings = requireStripe();
  const body = checkoutBody.parse(input);
  let priceId: string | null = null;
  if (body.mode === 'subscription') {
    const db = await getDb();
    const [plan] = await db.select().from(plans).where(eq(plans.id, body.planId!));
    if (!plan || plan.custom) throw invalid('planId', `No plan ${body.planId} is offered`, body.planId);
    if (!plan.stripePriceId) throw invalid('planId', `The ${plan.name} plan is not sold through Stripe (a platform admin sets its Stripe price)`, body.planId);
    priceId = plan.stripePriceId;
    if (await liveSubscription(scope.orgId)) {
      throw conflict('This organization already has a subscription: change plans or payment in the customer portal (POST /api/v1/billing/portal)');
    }
  }
  const customer = await ensureCustomer(scope.orgId);
  const base = await billingUrl(scope.orgId);
  const params: Stripe.Checkout.SessionCreateParams = {
    mode: body.mode,
    customer,
    client_reference_id: scope.orgId,
    success_url: `${base}?checkout=${body.mode === 'setup' ? 'card' : 'success'}&session_id={CHECKOUT_SESSION_ID}`,
    cancel_url: `${base}?checkout=cancelled`,
    metadata: { warren_org_id: scope.orgId, ...(body.planId ? { warren_plan_id: body.planId } : {}) },
    ...(priceId
      ? {
          line_items: [{ price: priceId, quantity: 1 }, { price: settings.usagePriceId }],
          subscription_data: { metadata: { warren_org_id: scope.orgId } },
        }
      : { payment_method_types: ['card'], currency: 'usd' }),
  };
  let session: Stripe.Checkout.Session;
  try {
    session = await stripeClient(settings).checkout.sessions.create(params);
  } catch (err) {
    throw stripeCallError(err, 'opening Checkout');
  }
  if (!session.url) throw new AppError('bad_gateway', 'Stripe answered without a Checkout URL');
  await recordAudit(scope, 'billing.checkout.create', { type: 'checkout_session', id: session.id }, { mode: body.mode, planId: body.planId ?? null });
  return {
    id: session.id,
    mode: body.mode,
    planId: body.planId ?? null,
    url: session.url,
    expiresAt: session.expires_at ? new Date(session.expires_at * 1000).toISOString() : null,
  };
}

/**
 * POST /api/v1/billing/portal: a Customer Portal session to manage cards, see invoices, cancel,
 * or (`flow: "change_plan"`) go straight to switching the subscription's plan.
 */
export async function createPortal(scope: OrgScope, input: PortalBody) {
  const settings = requireStripe();
  const body = portalBody.parse(input);
  const live = body.flow === 'change_plan' ? await liveSubscription(scope.orgId) : null;
  if (body.flow === 'change_plan' && !live) throw conflict('This organization has no subscription to change: subscribe with POST /api/v1/billing/checkout');
  const customer = await ensureCustomer(scope.orgId);
  const flow: Stripe.BillingPortal.SessionCreateParams.FlowData | undefined =
    body.flow === 'change_plan'
      ? { type: 'subscription_update', subscription_update: { subscription: live!.id } }
      : body.flow === 'payment_method'
        ? { type: 'payment_method_update' }
        : undefined;
  let session: Stripe.BillingPortal.Session;
  try {
    session = await stripeClient(settings).billingPortal.sessions.create({ customer, return_url: await billingUrl(scope.orgId), ...(flow ? { flow_data: flow } : {}) });
  } catch (err) {
    throw stripeCallError(err, 'opening the customer portal');
  }
  await recordAudit(scope, 'billing.portal.open', { type: 'org', id: scope.orgId }, { flow: body.flow ?? null });
  return { url: session.url };
}
