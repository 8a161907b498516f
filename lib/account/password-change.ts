import { eq } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import { endOtherUserSessions } from '@/lib/auth/user-sessions';
import { AppError } from '@/lib/errors';
import { password as passwordSchema } from '@/lib/schemas/common';
import { hashPassword, verifyPassword } from '@/lib/users/password';
import { checkSignInAllowed, recordSignInAttempt } from '@/lib/users/rate-limit';

/**
 * Changing the password from the account page: the current one is required (a session left open
 * on a shared computer must not be enough to take the account over) and counts against the same
 * limit as sign-in guesses. Every other session ends; this one stays signed in. Unlike a reset
 * (lib/users/users.ts), the session version is not bumped, which would sign this browser out too.
 */
export async function changePassword(input: { userId: string; sessionId: string | null; current: string; next: string }): Promise<{ endedSessions: number }> {
  const db = await getDb();
  const [user] = await db.select().from(schema.users).where(eq(schema.users.id, input.userId));
  if (!user) throw new AppError('not_found', 'User not found');
  if (!user.passwordHash) {
    throw new AppError('conflict', 'This account signs in with GitHub or Google and has no password; use "Forgot password" to set one');
  }
  const next = passwordSchema.parse(input.next);
  await checkSignInAllowed(user.email, null);
  const ok = await verifyPassword(user.passwordHash, input.current);
  await recordSignInAttempt(user.email, null, ok);
  if (!ok) throw new AppError('validation_failed', 'The current password is not right', { field: 'currentPassword' });
  const passwordHash = await hashPassword(next);
  await db.transaction(async (tx) => {
    await tx.update(schema.users).set({ passwordHash }).where(eq(schema.users.id, input.userId));
    await tx.delete(schema.passwordResetTokens).where(eq(schema.passwordResetTokens.userId, input.userId));
  });
  return { endedSessions: await endOtherUserSessions(input.userId, input.sessionId) };
}
