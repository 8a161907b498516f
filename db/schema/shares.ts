import { index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { newId } from '@/lib/ids';
import { orgs } from './orgs';
import { ISOLATION_LEVELS } from './sandboxes';

/**
 * Embed links to a terminal, for demos. Either a live sandbox's terminal (read-only or
 * interactive), or — with `template` set — a fresh sandbox per visitor, capped at
 * `maxConcurrent` at once and stopped after `sandboxTimeoutSec`. Only the token's SHA-256 is kept.
 */
export const terminalShares = pgTable(
  'terminal_shares',
  {
    id: text('id').primaryKey().$defaultFn(() => newId()),
    orgId: text('org_id')
      .notNull()
      .references(() => orgs.id, { onDelete: 'cascade' }),
    sandboxId: text('sandbox_id'),
    template: text('template'),
    mode: text('mode', { enum: ['rw', 'ro'] }).notNull(),
    tokenHash: text('token_hash').notNull(),
    label: text('label'),
    maxConcurrent: integer('max_concurrent').notNull().default(5),
    sandboxTimeoutSec: integer('sandbox_timeout_sec').notNull().default(600),
    /** Egress-only secrets each visitor's sandbox gets (names; a template link only). */
    secrets: jsonb('secrets').$type<string[]>().notNull().default([]),
    /** The isolation each visitor's sandbox gets (a template link only); null: the template's or org's default. */
    isolation: text('isolation', { enum: ISOLATION_LEVELS }),
    createdBy: text('created_by').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('terminal_shares_token_idx').on(t.tokenHash), index('terminal_shares_org_idx').on(t.orgId, t.createdAt)],
);
