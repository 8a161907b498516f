import { AppError } from '@/lib/errors';
import { burnPasswordCheck, verifyPassword } from './password';
import { checkSignInAllowed, recordSignInAttempt } from './rate-limit';
import { findUserByEmail, type PublicUser, toPublicUser } from './users';

/**
 * E-mail + password sign-in with attempt limiting, for the Auth.js Credentials provider.
 * Throws `rate_limited` (message says when to retry) or `unauthorized` ("Wrong e-mail or
 * password", the same for unknown e-mails so accounts cannot be enumerated).
 */
export async function signInWithPassword(input: { email: string; password: string; ip?: string | null }): Promise<PublicUser> {
  const email = input.email.trim().toLowerCase();
  const ip = input.ip ?? null;
  await checkSignInAllowed(email, ip);
  const user = await findUserByEmail(email);
  let ok = false;
  if (user) ok = await verifyPassword(user.passwordHash, input.password);
  else await burnPasswordCheck(input.password);
  await recordSignInAttempt(email, ip, ok);
  if (!user || !ok) throw new AppError('unauthorized', 'Wrong e-mail or password');
  if (user.disabledAt) throw new AppError('unauthorized', 'This account is disabled. Contact your platform admin.');
  return toPublicUser(user);
}
