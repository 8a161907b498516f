import { isAppError } from '@/lib/errors';
import { checkSignInAllowed, recordSignInAttempt } from '@/lib/users/rate-limit';
import { InvalidCredentials, TooManyAttempts } from './auth-errors';

export { clientIp } from '@/lib/users/rate-limit';

/**
 * Wraps one password check with the sign-in rate limit: refuses before checking when the
 * e-mail or the client address has failed too often, and records the outcome after, so a
 * guesser learns nothing more once the limit is reached.
 */
export type SignedInUser = { id: string; email: string; name: string | null };

export async function guardSignIn<U extends SignedInUser>(email: string, ip: string | null, check: () => Promise<U | null>): Promise<U> {
  try {
    await checkSignInAllowed(email, ip);
  } catch (err) {
    if (isAppError(err) && err.code === 'rate_limited') throw new TooManyAttempts(err.message);
    throw err;
  }
  const user = await check();
  await recordSignInAttempt(email, ip, user !== null);
  if (!user) throw new InvalidCredentials();
  return user;
}
