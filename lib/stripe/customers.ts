import { createHash } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import { recordAudit, systemActor } from '@/lib/audit/audit';
import { notFound } from '@/lib/errors';
import { logger } from '@/lib/logger';
import { type Stripe, stripeCallError, stripeClient, stripeErrorSummary } from './client';
import { requireStripe } from './config';

const { orgs } = schema;
const log = logger.child({ component: 'stripe' });

/**
 * The org's Stripe customer, created the first time it is needed (Checkout, the portal). The
 * create carries an idempotency key derived from the org and what is sent, so two consoles, or
 * a retry after a crash between Stripe's answer and our write, get the same customer back from
 * Stripe (for 24 hours, Stripe's idempotency window). The id is stored only where none is yet:
 * the first writer wins, and the customer's metadata names the org, so a webhook can still find
 * the org if our write never happened.
 */
export async function ensureCustomer(orgId: string): Promise<string> {
  const settings = requireStripe();
  const db = await getDb();
  const [org] = await db.select({ id: orgs.id, name: orgs.name, slug: orgs.slug, customer: orgs.stripeCustomerId }).from(orgs).where(eq(orgs.id, orgId));
  if (!org) throw notFound('Organization');
  if (org.customer) return org.customer;

  const params: Stripe.CustomerCreateParams = { name: org.name, metadata: { warren_org_id: org.id, warren_org_slug: org.slug } };
  // Stripe refuses a reused key with other parameters (a rename in between), so the key names them.
  const digest = createHash('sha256').update(JSON.stringify(params)).digest('hex').slice(0, 16);
  let customer: Stripe.Customer;
  try {
    customer = await stripeClient(settings).customers.create(params, { idempotencyKey: `warren-customer-${org.id}-${digest}` });
  } catch (err) {
    log.warn({ orgId, stripe: stripeErrorSummary(err) }, 'could not create the Stripe customer');
    throw stripeCallError(err, 'creating the customer');
  }
  const [won] = await db
    .update(orgs)
    .set({ stripeCustomerId: customer.id })
    .where(and(eq(orgs.id, orgId), isNull(orgs.stripeCustomerId)))
    .returning({ id: orgs.id });
  if (won) {
    await recordAudit(systemActor(orgId, 'stripe'), 'billing.stripe.customer_create', { type: 'org', id: orgId }, { customerId: customer.id });
    return customer.id;
  }
  const [now] = await db.select({ customer: orgs.stripeCustomerId }).from(orgs).where(eq(orgs.id, orgId));
  return now?.customer ?? customer.id;
}

/**
 * The org a Stripe customer belongs to: by our stored id, else by the customer's metadata (the
 * customer was made by an ensureCustomer whose write was lost), which is then stored. null: a
 * customer that is not Warren's (another product on the same Stripe account).
 */
export async function orgForCustomer(customerId: string): Promise<string | null> {
  const db = await getDb();
  const [known] = await db.select({ id: orgs.id }).from(orgs).where(eq(orgs.stripeCustomerId, customerId));
  if (known) return known.id;
  let customer: Stripe.Customer | Stripe.DeletedCustomer;
  try {
    customer = await stripeClient().customers.retrieve(customerId);
  } catch (err) {
    // 404: not a customer of this account. Anything else is passing: the webhook is retried.
    if (err instanceof Error && (err as { statusCode?: number }).statusCode === 404) return null;
    throw err;
  }
  const orgId = 'metadata' in customer ? customer.metadata?.warren_org_id : undefined;
  if (!orgId) return null;
  const [claimed] = await db
    .update(orgs)
    .set({ stripeCustomerId: customerId })
    .where(and(eq(orgs.id, orgId), isNull(orgs.stripeCustomerId)))
    .returning({ id: orgs.id });
  if (claimed) {
    await recordAudit(systemActor(orgId, 'stripe'), 'billing.stripe.customer_link', { type: 'org', id: orgId }, { customerId });
    return orgId;
  }
  // The org already has another customer (or is gone): this one is not how we bill it.
  log.warn({ orgId, customerId }, 'a Stripe customer names an org that has another customer; ignored');
  return null;
}

/** The stored customer of an org, or null (never created one). */
export async function storedCustomer(orgId: string): Promise<string | null> {
  const db = await getDb();
  const [org] = await db.select({ customer: orgs.stripeCustomerId }).from(orgs).where(eq(orgs.id, orgId));
  return org?.customer ?? null;
}
