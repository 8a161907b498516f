import { bigint, boolean, index, integer, pgEnum, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { newId } from '@/lib/ids';
import { users } from './auth';

export const roleEnum = pgEnum('org_role', ['owner', 'admin', 'developer', 'viewer', 'billing']);

export const orgs = pgTable('orgs', {
  id: text('id').primaryKey().$defaultFn(() => newId()),
  slug: text('slug').notNull().unique(),
  name: text('name').notNull(),
  personal: boolean('personal').notNull().default(false),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  /** plans.id. No foreign key: plans are seeded after migrations (from env), see db/seed-plans.ts. */
  planId: text('plan_id').notNull().default('free'),
  /** Set by the payment integration (Stripe); without one only the credit balance pays. */
  hasPaymentMethod: boolean('has_payment_method').notNull().default(false),
  /** The org's Stripe customer, created the first time it opens Checkout or the portal (lib/stripe/customers.ts). */
  stripeCustomerId: text('stripe_customer_id').unique(),
  /** Monthly hard cap and alert threshold on metered cost, micro-dollars; null = none. */
  spendLimitMicros: bigint('spend_limit_micros', { mode: 'number' }),
  spendAlertMicros: bigint('spend_alert_micros', { mode: 'number' }),
  suspendedAt: timestamp('suspended_at', { withTimezone: true }),
  suspendedReason: text('suspended_reason'),
  /** Sandboxes stopped for longer than this many days are deleted (lib/sandboxes/retention.ts); null = kept. */
  stoppedRetentionDays: integer('stopped_retention_days'),
  /** The owner asked every member to use two-factor sign-in; members without it are sent to set it up. */
  requireTwoFactor: boolean('require_two_factor').notNull().default(false),
  /** templates.id a create that names no template uses; null = the built-in one. */
  defaultTemplateId: text('default_template_id'),
});

export const memberships = pgTable(
  'memberships',
  {
    orgId: text('org_id')
      .notNull()
      .references(() => orgs.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: roleEnum('role').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.userId] }), index('memberships_user_idx').on(t.userId)],
);

/** Invitation by link: only the SHA-256 of the token is stored; single use, expiring. */
export const invitations = pgTable(
  'invitations',
  {
    id: text('id').primaryKey().$defaultFn(() => newId()),
    orgId: text('org_id')
      .notNull()
      .references(() => orgs.id, { onDelete: 'cascade' }),
    email: text('email'),
    role: roleEnum('role').notNull(),
    tokenHash: text('token_hash').notNull(),
    invitedBy: text('invited_by').references(() => users.id, { onDelete: 'set null' }),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    acceptedAt: timestamp('accepted_at', { withTimezone: true }),
    acceptedBy: text('accepted_by').references(() => users.id, { onDelete: 'set null' }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('invitations_token_hash_idx').on(t.tokenHash), index('invitations_org_idx').on(t.orgId)],
);
