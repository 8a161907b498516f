import { encode } from 'next-auth/jwt';
import type { UserScope } from '@/lib/auth/scope';
import { currentSessionVersion, SESSION_ID_CLAIM, SESSION_VERSION_CLAIM } from '@/lib/auth/session-version';
import { createUserSession } from '@/lib/auth/user-sessions';

/**
 * Signs a test in for real: `call()` attaches an Auth.js session cookie (a JWT encrypted with
 * AUTH_SECRET, exactly what the sign-in flow sets) for the user given here. Nothing is mocked:
 * scope resolution decodes the cookie and loads the user from the database.
 */
let current: UserScope | null = null;

export const signInAs = (u: UserScope | null) => {
  current = u;
};

/**
 * A session as signing in issues it now: a session row (lib/auth/user-sessions.ts) and the
 * user's current session version. One row per call; `userAgent` names it in the sessions list.
 */
export async function sessionCookieFor(u: Pick<UserScope, 'userId' | 'email'>, userAgent = 'vitest'): Promise<string> {
  return (await newSession(u, userAgent)).cookie;
}

export async function newSession(u: Pick<UserScope, 'userId' | 'email'>, userAgent = 'vitest'): Promise<{ cookie: string; sid: string }> {
  const name = 'authjs.session-token';
  const sv = (await currentSessionVersion(u.userId)) ?? 0;
  const sid = await createUserSession(u.userId, { userAgent, ip: '127.0.0.1' });
  const token = await encode({
    token: { sub: u.userId, email: u.email, [SESSION_VERSION_CLAIM]: sv, [SESSION_ID_CLAIM]: sid },
    secret: process.env.AUTH_SECRET!,
    salt: name,
  });
  return { cookie: `${name}=${token}`, sid };
}

/** The request with the signed-in user's session cookie, when `signInAs` named one. */
export async function withSession(request: Request): Promise<Request> {
  if (!current || request.headers.has('cookie')) return request;
  const headers = new Headers(request.headers);
  headers.set('cookie', await sessionCookieFor(current));
  return new Request(request, { headers });
}
