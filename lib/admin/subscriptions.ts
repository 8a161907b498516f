import { and, eq, gte, lt, sql } from 'drizzle-orm';
import { type Db, schema } from '@/db';
import { stripeMode } from '@/lib/stripe/config';

const { invoices } = schema;

/**
 * Subscription revenue: what paid Stripe invoices brought in, by the day Stripe created each
 * invoice (the local view keeps no payment time; Stripe finalizes and charges at creation for
 * subscriptions). USD only, as Warren prices everything in dollars. Without Stripe there is
 * nothing to show, and the page says why instead of a zero that would read as "no revenue".
 */
export type SubscriptionRevenue =
  | { available: true; totalMicros: number; byDay: Record<string, number> }
  | { available: false; reason: string };

export async function subscriptionRevenue(db: Db, from: Date, to: Date): Promise<SubscriptionRevenue> {
  const day = sql<string>`to_char(${invoices.stripeCreated} at time zone 'UTC', 'YYYY-MM-DD')`;
  const rows = await db
    .select({ day, micros: sql<string>`sum(${invoices.amountPaidMicros})` })
    .from(invoices)
    .where(and(eq(invoices.status, 'paid'), eq(invoices.currency, 'usd'), gte(invoices.stripeCreated, from), lt(invoices.stripeCreated, to)))
    .groupBy(sql`1`);
  if (rows.length === 0 && stripeMode().mode !== 'stripe') {
    return { available: false, reason: 'Stripe is not configured (STRIPE_SECRET_KEY): figures here are metered usage and credit only.' };
  }
  const byDay = Object.fromEntries(rows.map((r) => [r.day, Number(r.micros)]));
  return { available: true, totalMicros: Object.values(byDay).reduce((s, n) => s + n, 0), byDay };
}
