import { isNotNull } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import { stripeClient } from './client';
import { storedCustomer } from './customers';
import { applyInvoice, invoiceState } from './invoices';
import { applySubscription, subState } from './subscriptions';

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
