import { decode } from 'next-auth/jwt';
import type { UserScope } from './scope';
import { tokenSessionId, tokenSessionVersion } from './session-version';

/**
 * The signed-in person behind a raw Cookie header: decodes Auth.js's session JWT (encrypted
 * with AUTH_SECRET) and loads the user from the database, so a deleted user or a revoked admin
 * flag takes effect at once. Used where there is a Request but no Next request context: route
 * handlers' scope resolution and server.ts (terminal relay, preview proxy).
 */
export const SESSION_COOKIES = ['__Secure-authjs.session-token', 'authjs.session-token'] as const;

export function parseCookies(header: string | null | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out.set(part.slice(0, i).trim(), decodeURIComponent(part.slice(i + 1).trim()));
  }
  return out;
}

/** The session's user id, the session version it was issued with (lib/auth/session-version.ts) and its session row's id. */
export async function sessionFromCookies(header: string | null | undefined): Promise<{ userId: string; version: number; sid: string | null } | null> {
  const secret = process.env.AUTH_SECRET;
  if (!secret) return null;
  const cookies = parseCookies(header);
  for (const name of SESSION_COOKIES) {
    // Auth.js splits large tokens into name.0, name.1, …
    let token = cookies.get(name);
    if (!token) {
      const parts: string[] = [];
      for (let i = 0; cookies.has(`${name}.${i}`); i++) parts.push(cookies.get(`${name}.${i}`)!);
      token = parts.join('') || undefined;
    }
    if (!token) continue;
    try {
      const payload = await decode({ token, secret, salt: name });
      if (payload?.sub && (!payload.exp || payload.exp * 1000 > Date.now())) return { userId: payload.sub, version: tokenSessionVersion(payload), sid: tokenSessionId(payload) };
    } catch {
      // tampered, expired or signed with another secret: not signed in
    }
  }
  return null;
}

export async function sessionUserFromCookies(header: string | null | undefined): Promise<UserScope | null> {
  const session = await sessionFromCookies(header);
  if (!session) return null;
  // A session issued before the password was last reset, one signed out from another browser,
  // and every session of a disabled account are over.
  const { sessionStillValid } = await import('./user-sessions');
  if (!(await sessionStillValid(session.userId, session.version, session.sid))) return null;
  const { findUserById } = await import('@/lib/users/users');
  const user = await findUserById(session.userId);
  return user ? { userId: user.id, email: user.email, name: user.name, isPlatformAdmin: user.isPlatformAdmin } : null;
}
