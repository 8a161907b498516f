import { bigint, boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { orgs } from './orgs';

/**
 * Stripe's side of billing (lib/stripe/). Every table here is written from Stripe's own objects
 * (webhooks, or a fresh read from its API) and keyed by Stripe's ids, so replaying an event or
 * re-reading an object rewrites the same row.
 */

/** Webhook events seen, by Stripe's event id: a replay of a processed event changes nothing. */
export const stripeEvents = pgTable('stripe_events', {
  id: text('id').primaryKey(),
  type: text('type').notNull(),
  /** The event's `created` (Unix seconds): the time of the object state it carries. */
  created: bigint('created', { mode: 'number' }).notNull(),
  orgId: text('org_id').references(() => orgs.id, { onDelete: 'set null' }),
  /** `applied`, `stale` (an older state than the one held), `ignored` (not ours, or a type we do not handle). */
  outcome: text('outcome'),
  receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  processedAt: timestamp('processed_at', { withTimezone: true }),
});

/**
 * The subscriptions of each org's customer, as last known. `version` is the Stripe time (Unix
 * seconds) of the state held: a webhook carrying an older state is stale and skipped, one of the
 * same second is settled by reading the subscription from Stripe (lib/stripe/subscriptions.ts).
 */
export const stripeSubscriptions = pgTable(
  'stripe_subscriptions',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id')
      .notNull()
      .references(() => orgs.id, { onDelete: 'cascade' }),
    customerId: text('customer_id').notNull(),
    status: text('status').notNull(),
    /** The Warren plan its price maps to (plans.stripe_price_id), or null (usage only, or unknown). */
    planId: text('plan_id'),
    priceIds: jsonb('price_ids').$type<string[]>().notNull(),
    /** Carries the metered usage price: usage beyond credit is invoiced through it. */
    metered: boolean('metered').notNull(),
    cancelAtPeriodEnd: boolean('cancel_at_period_end').notNull().default(false),
    currentPeriodEnd: timestamp('current_period_end', { withTimezone: true }),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    endedAt: timestamp('ended_at', { withTimezone: true }),
    version: bigint('version', { mode: 'number' }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('stripe_subscriptions_org_idx').on(t.orgId)],
);

/**
 * The org's invoices as Stripe last described them. Amounts are integer micro-units of the
 * invoice's currency (Stripe's minor units scaled by the currency's exponent: lib/stripe/currency.ts).
 */
export const invoices = pgTable(
  'invoices',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id')
      .notNull()
      .references(() => orgs.id, { onDelete: 'cascade' }),
    customerId: text('customer_id').notNull(),
    subscriptionId: text('subscription_id'),
    number: text('number'),
    status: text('status').notNull(),
    currency: text('currency').notNull(),
    totalMicros: bigint('total_micros', { mode: 'number' }).notNull(),
    amountDueMicros: bigint('amount_due_micros', { mode: 'number' }).notNull(),
    amountPaidMicros: bigint('amount_paid_micros', { mode: 'number' }).notNull(),
    periodStart: timestamp('period_start', { withTimezone: true }),
    periodEnd: timestamp('period_end', { withTimezone: true }),
    hostedInvoiceUrl: text('hosted_invoice_url'),
    invoicePdf: text('invoice_pdf'),
    /** The last failed payment attempt, while the invoice is still unpaid (the banner). */
    paymentFailedAt: timestamp('payment_failed_at', { withTimezone: true }),
    attemptCount: integer('attempt_count').notNull().default(0),
    /** The failed attempt owners and billing members were last e-mailed about (one mail per attempt). */
    notifiedAttempt: integer('notified_attempt').notNull().default(0),
    stripeCreated: timestamp('stripe_created', { withTimezone: true }).notNull(),
    version: bigint('version', { mode: 'number' }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('invoices_org_idx').on(t.orgId, t.stripeCreated, t.id)],
);

export const METER_REPORT_STATUSES = ['pending', 'reported', 'failed'] as const;

/**
 * Usage reported to Stripe's billing meter, one row per event: per org and closed hour, the
 * usage no credit paid for (seq 0), plus a correction (seq 1, 2…) when usage of that hour
 * arrived after it was reported. The row is written before the call (`pending`, its value fixed)
 * and marked `reported` after: a crash in between sends the same identifier and value again,
 * which Stripe counts once. Values never change once written.
 */
export const stripeMeterReports = pgTable(
  'stripe_meter_reports',
  {
    orgId: text('org_id')
      .notNull()
      .references(() => orgs.id, { onDelete: 'cascade' }),
    hour: timestamp('hour', { withTimezone: true }).notNull(),
    seq: integer('seq').notNull(),
    identifier: text('identifier').notNull().unique(),
    customerId: text('customer_id').notNull(),
    valueMicros: bigint('value_micros', { mode: 'number' }).notNull(),
    status: text('status', { enum: METER_REPORT_STATUSES }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    /** When the next attempt is due; also the lease of an attempt in progress. */
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    reportedAt: timestamp('reported_at', { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.hour, t.seq] }), index('stripe_meter_reports_due_idx').on(t.status, t.nextAttemptAt)],
);
