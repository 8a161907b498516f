import { and, asc, eq, isNotNull } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import { paymentProvider } from './config';
import { orgSubscriptions } from './subscriptions';

const { plans } = schema;

/**
 * The payment part of GET /api/v1/billing: whether Stripe is on (and if not, which variables
 * would turn it on), the org's subscriptions, and the plans it can buy through Checkout (not
 * custom, with a Stripe price). Never a key, a secret or a customer id.
 */
export async function paymentView(orgId: string) {
  const provider = paymentProvider();
  if (provider.provider !== 'stripe') return { ...provider, subscriptions: [], plans: [] };
  const db = await getDb();
  const offered = await db
    .select({ id: plans.id, name: plans.name, priceMicros: plans.priceMicros, monthlyCreditMicros: plans.monthlyCreditMicros })
    .from(plans)
    .where(and(eq(plans.custom, false), isNotNull(plans.stripePriceId)))
    .orderBy(asc(plans.priceMicros), asc(plans.id));
  return { ...provider, subscriptions: await orgSubscriptions(orgId), plans: offered };
}
