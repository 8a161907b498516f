import { integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { orgs } from './orgs';

/**
 * `Idempotency-Key` records: an agent retrying a POST after a timeout gets the first answer,
 * not a second sandbox. One row per (org, key); `fingerprint` is the request's method, path and
 * body, so a key reused for a different request is refused. Kept 24 hours.
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    orgId: text('org_id')
      .notNull()
      .references(() => orgs.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    fingerprint: text('fingerprint').notNull(),
    /** in_flight while the first request runs; done once its answer is stored. */
    state: text('state', { enum: ['in_flight', 'done'] }).notNull(),
    status: integer('status'),
    body: text('body'),
    /**
     * What the first try made before any answer was stored (a sandbox id), written in the same
     * transaction: a retry that takes over from a dead console finishes that one, never a second.
     */
    resourceId: text('resource_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** Refreshed by the request running it: stale = its console died, a retry may take over. */
    lockedAt: timestamp('locked_at', { withTimezone: true }).notNull().defaultNow(),
    /** Which run owns the row: only it may store its answer (a taken-over run may not). */
    owner: text('owner').notNull().default(''),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.key] })],
);
