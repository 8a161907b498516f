import { sql } from 'drizzle-orm';
import { bigint, boolean, doublePrecision, index, integer, jsonb, pgTable, real, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { newId } from '@/lib/ids';
import { apiKeys } from './api-keys';
import { orgs } from './orgs';

/**
 * What an org pays and may use. Free, Pro and Team are seeded (db/seed-plans.ts) from the env
 * rate card and limits; platform admins edit them and add custom plans (`custom`: assigned to
 * particular orgs, never offered to everyone). Money is integer micro-dollars; rates per hour.
 */
export const plans = pgTable('plans', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  custom: boolean('custom').notNull().default(false),
  /** A custom plan made for one org: only that org may be put on it (null: any org). */
  orgId: text('org_id').references(() => orgs.id, { onDelete: 'set null' }),
  priceMicros: bigint('price_micros', { mode: 'number' }).notNull().default(0),
  /** Granted at each month's start, expiring at the month's end (use it or lose it). */
  monthlyCreditMicros: bigint('monthly_credit_micros', { mode: 'number' }).notNull().default(0),
  vcpuHourMicros: bigint('vcpu_hour_micros', { mode: 'number' }).notNull(),
  memoryGibHourMicros: bigint('memory_gib_hour_micros', { mode: 'number' }).notNull(),
  pausedGibHourMicros: bigint('paused_gib_hour_micros', { mode: 'number' }).notNull(),
  storageGibHourMicros: bigint('storage_gib_hour_micros', { mode: 'number' }).notNull(),
  activeCpuHourMicros: bigint('active_cpu_hour_micros', { mode: 'number' }).notNull(),
  maxSandboxes: integer('max_sandboxes').notNull(),
  maxRunningCpu: real('max_running_cpu').notNull(),
  maxRunningMemoryMb: integer('max_running_memory_mb').notNull(),
  maxCpu: real('max_cpu').notNull(),
  maxMemoryMb: integer('max_memory_mb').notNull(),
  maxDiskMb: integer('max_disk_mb').notNull(),
  maxTimeoutSec: integer('max_timeout_sec').notNull(),
  maxSnapshotBytes: bigint('max_snapshot_bytes', { mode: 'number' }).notNull(),
  maxTemplates: integer('max_templates').notNull(),
  apiRequestsPerMinute: integer('api_requests_per_minute').notNull(),
  maxPortsPerSandbox: integer('max_ports_per_sandbox').notNull(),
  /** `gvisor`: the org's sandboxes must run under gVisor (a create that names none gets it; one
   * asking for `container` is refused). null: any level (README: Isolation levels). */
  requiredIsolation: text('required_isolation', { enum: ['gvisor'] }),
  /** The Stripe recurring price that buys this plan (Checkout), and by which a subscription's
   * plan is recognised (webhooks); null: not sold through Stripe. Set by platform admins. */
  stripePriceId: text('stripe_price_id').unique(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export const CREDIT_KINDS = ['monthly', 'admin', 'promo'] as const;

/**
 * The credit ledger: append-only (no service updates or deletes a row). The balance is derived
 * from it and the metered cost (lib/billing/balance.ts), never stored. A monthly grant carries
 * its month in `period_key`; the unique index makes it one per org per month whoever grants it.
 */
export const creditGrants = pgTable(
  'credit_grants',
  {
    id: text('id').primaryKey().$defaultFn(() => newId()),
    orgId: text('org_id')
      .notNull()
      .references(() => orgs.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: CREDIT_KINDS }).notNull(),
    amountMicros: bigint('amount_micros', { mode: 'number' }).notNull(),
    reason: text('reason').notNull(),
    grantedBy: text('granted_by').notNull(),
    grantedById: text('granted_by_id'),
    periodKey: text('period_key'),
    effectiveAt: timestamp('effective_at', { withTimezone: true }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('credit_grants_monthly_idx').on(t.orgId, t.periodKey).where(sql`${t.kind} = 'monthly'`),
    index('credit_grants_org_idx').on(t.orgId, t.effectiveAt),
  ],
);

/**
 * Things that happen once per org, month and threshold (crossing the spend alert, reaching the
 * spend limit): the unique key makes the first console to see it the only one to record it,
 * announce it and audit it. A threshold changed mid-month can be crossed (and told) again.
 */
export const billingNotices = pgTable(
  'billing_notices',
  {
    id: text('id').primaryKey().$defaultFn(() => newId()),
    orgId: text('org_id')
      .notNull()
      .references(() => orgs.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['spend_alert', 'spend_limit'] }).notNull(),
    periodKey: text('period_key').notNull(),
    thresholdMicros: bigint('threshold_micros', { mode: 'number' }).notNull(),
    spentMicros: bigint('spent_micros', { mode: 'number' }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('billing_notices_once_idx').on(t.orgId, t.kind, t.periodKey, t.thresholdMicros)],
);

/**
 * An org the enforcer found unable to pay (no balance, spend limit, suspension): since when, and
 * when its sandboxes were stopped (once the grace period passed). Removed when it can pay again.
 */
export const billingHolds = pgTable('billing_holds', {
  orgId: text('org_id')
    .primaryKey()
    .references(() => orgs.id, { onDelete: 'cascade' }),
  reason: text('reason', { enum: ['suspended', 'spend_limit', 'balance_exhausted'] }).notNull(),
  since: timestamp('since', { withTimezone: true }).notNull(),
  /** When its sandboxes are stopped unless it can pay by then (since + the grace period). */
  stopsAt: timestamp('stops_at', { withTimezone: true }).notNull(),
  stoppedAt: timestamp('stopped_at', { withTimezone: true }),
  stoppedSandboxes: jsonb('stopped_sandboxes').$type<string[]>(),
});

/**
 * Room held for an operation whose size is known only once the runner answers (a snapshot's
 * bytes): counted by the quota check under the org's lock, removed when the real row lands.
 * A reservation older than RESERVATION_TTL (lib/billing/quota-claims.ts) is a crashed console's.
 */
export const quotaReservations = pgTable(
  'quota_reservations',
  {
    id: text('id').primaryKey().$defaultFn(() => newId()),
    orgId: text('org_id')
      .notNull()
      .references(() => orgs.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['snapshot_bytes'] }).notNull(),
    amount: bigint('amount', { mode: 'number' }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('quota_reservations_org_idx').on(t.orgId, t.kind)],
);

/** Token buckets of the per-key API rate limit, shared by every console on the database. */
export const apiRateBuckets = pgTable('api_rate_buckets', {
  apiKeyId: text('api_key_id')
    .primaryKey()
    .references(() => apiKeys.id, { onDelete: 'cascade' }),
  tokens: doublePrecision('tokens').notNull(),
  /** Whether the last request taken from this bucket was let through (RETURNING sees only the row). */
  allowed: boolean('allowed').notNull().default(true),
  /** How many tokens the last take got (a console leases several at once: lib/billing/rate-lease.ts). */
  taken: integer('taken').notNull().default(1),
  updatedAt: timestamp('updated_at', { withTimezone: true, precision: 6 }).notNull(),
});
