import { createHash } from 'node:crypto';
import { and, eq, gt } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import { actorFromUser, recordAudit } from '@/lib/audit/audit';
import { env } from '@/lib/env';
import { AppError, conflict } from '@/lib/errors';
import { randomToken } from '@/lib/ids';
import { logger } from '@/lib/logger';
import { queueMail } from '@/lib/mail/send';
import { passwordResetMail } from '@/lib/mail/templates';
import { email as emailSchema, password as passwordSchema } from '@/lib/schemas/common';
import { hashPassword } from './password';
import { checkPasswordResetAllowed, recordPasswordResetRequest, recordSignInAttempt } from './rate-limit';
import { findUserByEmail, storePasswordHash } from './users';

const { passwordResetTokens, users } = schema;
export const RESET_TOKEN_MINUTES = 30;
const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
const log = logger.child({ component: 'password-reset' });

/**
 * "Forgot password": the answer is the same, and as fast, for every address. Only the rate
 * limit runs before answering; looking the account up, minting the token and writing the mail
 * happen after, in `settled` (the route does not wait for it; tests do).
 */
export async function requestPasswordReset(input: { email: string; ip: string | null }): Promise<{ settled: Promise<void> }> {
  const address = emailSchema.parse(input.email);
  await checkPasswordResetAllowed(address, input.ip);
  await recordPasswordResetRequest(address, input.ip);
  const settled = mintAndMail(address).catch((err) => log.error({ err }, 'password reset request failed'));
  return { settled };
}

async function mintAndMail(address: string): Promise<void> {
  const user = await findUserByEmail(address);
  // A disabled account gets no link (a new password would not let it in); the answer is the same.
  if (!user || user.disabledAt) return;
  const token = randomToken(32);
  const expiresAt = new Date(Date.now() + RESET_TOKEN_MINUTES * 60_000);
  const db = await getDb();
  // One row per user: a new request replaces (and so voids) the link of the one before.
  await db
    .insert(passwordResetTokens)
    .values({ userId: user.id, tokenHash: hashToken(token), expiresAt })
    .onConflictDoUpdate({ target: passwordResetTokens.userId, set: { tokenHash: hashToken(token), expiresAt, createdAt: new Date() } });
  // Always the configured public URL, never the request's Host: a forged Host must not be able
  // to send someone a reset link pointing at another site.
  const url = `${env().publicUrl}/reset-password/${token}`;
  await queueMail({ ...passwordResetMail({ url, minutes: RESET_TOKEN_MINUTES }), to: user.email, kind: 'password_reset', redact: [url] });
  await recordAudit(actorFromUser({ userId: user.id, email: user.email }, null), 'user.password_reset_request', { type: 'user', id: user.id });
}

export type ResetTokenState = 'valid' | 'expired' | 'invalid';

/** For the reset page, before the person types anything. Does not use the token up. */
export async function resetTokenState(token: string): Promise<ResetTokenState> {
  if (!/^[\w-]{20,100}$/.test(token)) return 'invalid';
  const db = await getDb();
  const [row] = await db.select({ expiresAt: passwordResetTokens.expiresAt }).from(passwordResetTokens).where(eq(passwordResetTokens.tokenHash, hashToken(token)));
  if (!row) return 'invalid';
  return row.expiresAt > new Date() ? 'valid' : 'expired';
}

const INVALID = 'This reset link is not valid or was already used. Ask for a new one.';
const EXPIRED = `This reset link has expired (links work for ${RESET_TOKEN_MINUTES} minutes). Ask for a new one.`;

/**
 * Sets the new password and uses the token up, in one transaction: the row is deleted by a
 * conditional DELETE, so two submits of one link cannot both succeed. The password change
 * bumps the session version (every existing session ends) and clears sign-in lockouts.
 */
export async function resetPassword(input: { token: string; password: string }): Promise<{ email: string }> {
  const password = passwordSchema.parse(input.password);
  const state = await resetTokenState(input.token);
  if (state === 'invalid') throw new AppError('not_found', INVALID);
  if (state === 'expired') throw conflict(EXPIRED);
  // Hashed before the transaction (argon2 is slow), and only for a link that exists.
  const passwordHash = await hashPassword(password);
  const db = await getDb();
  const user = await db.transaction(async (tx) => {
    const [claimed] = await tx
      .delete(passwordResetTokens)
      .where(and(eq(passwordResetTokens.tokenHash, hashToken(input.token)), gt(passwordResetTokens.expiresAt, new Date())))
      .returning({ userId: passwordResetTokens.userId });
    if (!claimed) throw new AppError('not_found', INVALID);
    const [u] = await tx.select({ id: users.id, email: users.email }).from(users).where(eq(users.id, claimed.userId));
    await storePasswordHash(u!.id, passwordHash, tx);
    await recordAudit(actorFromUser({ userId: u!.id, email: u!.email }, null), 'user.password_reset', { type: 'user', id: u!.id }, { via: 'e-mail link' }, tx);
    return u!;
  });
  // Proving the mailbox is proof enough: earlier failed guesses no longer lock the account.
  await recordSignInAttempt(user.email, null, true);
  return { email: user.email };
}
