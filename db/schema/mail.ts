import { index, integer, jsonb, pgEnum, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { newId } from '@/lib/ids';
import { users } from './auth';
import { orgs } from './orgs';

/**
 * Every e-mail Warren writes, whether or not SMTP is configured (lib/mail/). `outbox`: no SMTP,
 * the row is the delivery (platform admins read it in the console). `queued`: waiting for its
 * next SMTP attempt at `next_attempt_at` (also the lease of an attempt in progress, so a
 * console that dies mid-send leaves a row the sender loop retries). `sent`, `failed`: final.
 */
export const mailStatusEnum = pgEnum('mail_status', ['outbox', 'queued', 'sent', 'failed']);

export const mailOutbox = pgTable(
  'mail_outbox',
  {
    id: text('id').primaryKey().$defaultFn(() => newId()),
    to: text('to').notNull(),
    subject: text('subject').notNull(),
    text: text('text').notNull(),
    html: text('html'),
    kind: text('kind').notNull(),
    // Mail about an org outlives it as a record of what was sent.
    orgId: text('org_id').references(() => orgs.id, { onDelete: 'set null' }),
    status: mailStatusEnum('status').notNull(),
    attempts: integer('attempts').notNull().default(0),
    error: text('error'),
    // Links holding tokens: cut from the stored copy once the message is delivered or has failed
    // for good, so the outbox does not keep working reset or invitation links for admins to read.
    redact: jsonb('redact').$type<string[]>(),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
  },
  (t) => [
    index('mail_outbox_created_idx').on(t.createdAt, t.id),
    index('mail_outbox_due_idx').on(t.status, t.nextAttemptAt),
  ],
);

/**
 * One live password-reset token per user (a later request replaces it); only its SHA-256 is
 * stored. Using it deletes the row, so it works once.
 */
export const passwordResetTokens = pgTable('password_reset_tokens', {
  userId: text('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  tokenHash: text('token_hash').notNull().unique(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});
