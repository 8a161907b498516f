import { encode } from 'next-auth/jwt';
import type { UserScope } from '@/lib/auth/scope';
import { currentSessionVersion, SESSION_VERSION_CLAIM } from '@/lib/auth/session-version';

/**
 * Signs a test in for real: `call()` attaches an Auth.js session cookie (a JWT encrypted with
 * AUTH_SECRET, exactly what the sign-in flow sets) for the user given here. Nothing is mocked:
 * scope resolution decodes the cookie and loads the user from the database.
 */
let current: UserScope | null = null;

export const signInAs = (u: UserScope | null) => {
  current = u;
};

/** A session as signing in issues it now: with the user's current session version. */
export async function sessionCookieFor(u: Pick<UserScope, 'userId' | 'email'>): Promise<string> {
  const name = 'authjs.session-token';
  const sv = (await currentSessionVersion(u.userId)) ?? 0;
  const token = await encode({ token: { sub: u.userId, email: u.email, [SESSION_VERSION_CLAIM]: sv }, secret: process.env.AUTH_SECRET!, salt: name });
  return `${name}=${token}`;
}

/** The request with the signed-in user's session cookie, when `signInAs` named one. */
export async function withSession(request: Request): Promise<Request> {
  if (!current || request.headers.has('cookie')) return request;
  const headers = new Headers(request.headers);
  headers.set('cookie', await sessionCookieFor(current));
  return new Request(request, { headers });
}
