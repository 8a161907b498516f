import { boolean, index, integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { newId } from '@/lib/ids';

// Table shapes follow what @auth/drizzle-adapter expects (property names matter, column names are ours).
export const users = pgTable('users', {
  id: text('id').primaryKey().$defaultFn(() => newId()),
  name: text('name'),
  email: text('email').notNull().unique(),
  emailVerified: timestamp('email_verified', { withTimezone: true, mode: 'date' }),
  image: text('image'),
  passwordHash: text('password_hash'),
  isPlatformAdmin: boolean('is_platform_admin').notNull().default(false),
  // Bumped when the password changes; a session JWT carrying an older number is no longer
  // valid (lib/auth/session-version.ts), so a reset signs out every other browser.
  sessionVersion: integer('session_version').notNull().default(0),
  // A platform admin disabled the account: it cannot sign in, its sessions ended (the version
  // was bumped with it) and the API keys it created are refused (lib/auth/api-key-auth.ts).
  disabledAt: timestamp('disabled_at', { withTimezone: true }),
  disabledReason: text('disabled_reason'),
  // TOTP two-factor (lib/auth/two-factor.ts). Secrets are sealed with the vault's AES-GCM
  // envelope (JSON of lib/secrets/crypto.ts's Sealed), never stored in the clear. `pending` is
  // a secret being set up (QR shown, first code not yet confirmed); `lastCounter` is the time
  // step of the last accepted code, so a code is good once (no replay within its 30 s).
  totpSecret: text('totp_secret'),
  totpPendingSecret: text('totp_pending_secret'),
  totpEnabledAt: timestamp('totp_enabled_at', { withTimezone: true }),
  totpLastCounter: integer('totp_last_counter'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const accounts = pgTable(
  'accounts',
  {
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    type: text('type').notNull(),
    provider: text('provider').notNull(),
    providerAccountId: text('provider_account_id').notNull(),
    refresh_token: text('refresh_token'),
    access_token: text('access_token'),
    expires_at: integer('expires_at'),
    token_type: text('token_type'),
    scope: text('scope'),
    id_token: text('id_token'),
    session_state: text('session_state'),
  },
  (t) => [primaryKey({ columns: [t.provider, t.providerAccountId] })],
);

export const sessions = pgTable('sessions', {
  sessionToken: text('session_token').primaryKey(),
  userId: text('user_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  expires: timestamp('expires', { withTimezone: true, mode: 'date' }).notNull(),
});

export const verificationTokens = pgTable(
  'verification_tokens',
  {
    identifier: text('identifier').notNull(),
    token: text('token').notNull(),
    expires: timestamp('expires', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.identifier, t.token] })],
);

/** Sign-in attempts, for rate limiting password guesses per e-mail and per client address. */
export const authAttempts = pgTable(
  'auth_attempts',
  {
    id: text('id').primaryKey().$defaultFn(() => newId()),
    key: text('key').notNull(),
    succeeded: boolean('succeeded').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('auth_attempts_key_created_idx').on(t.key, t.createdAt)],
);

/**
 * One row per signed-in browser. The session JWT carries the row's id (`sid`) and every request
 * checks the row is still there, so "sign out elsewhere", a password change or removing one
 * session ends it at its next request even though a JWT cannot be recalled.
 */
export const userSessions = pgTable(
  'user_sessions',
  {
    id: text('id').primaryKey().$defaultFn(() => newId(24)),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    userAgent: text('user_agent'),
    ip: text('ip'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('user_sessions_user_idx').on(t.userId, t.lastSeenAt)],
);

/** Two-factor recovery codes: SHA-256 of each (they are 50-bit random, not passwords), used once. */
export const recoveryCodes = pgTable(
  'recovery_codes',
  {
    id: text('id').primaryKey().$defaultFn(() => newId()),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    codeHash: text('code_hash').notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
  },
  (t) => [index('recovery_codes_user_idx').on(t.userId)],
);
