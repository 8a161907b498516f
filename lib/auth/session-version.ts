/**
 * Sessions are JWTs that nothing server-side can delete, so each carries the user's session
 * version from the moment it was issued (`sv`), and users.session_version is bumped when the
 * password changes: every session issued before that stops working at its next request.
 * A counter rather than "password changed at" vs the token's iat: Auth.js re-issues the token
 * (fresh iat) on every refresh, and a counter has no same-second ambiguity. Tokens from before
 * this existed carry no `sv` and count as version 0, the column's default.
 */
export const SESSION_VERSION_CLAIM = 'sv';

export function tokenSessionVersion(payload: Record<string, unknown> | null | undefined): number {
  const v = payload?.[SESSION_VERSION_CLAIM];
  return typeof v === 'number' && Number.isInteger(v) ? v : 0;
}

/** The claim naming the token's row in user_sessions (lib/auth/user-sessions.ts). */
export const SESSION_ID_CLAIM = 'sid';

export function tokenSessionId(payload: Record<string, unknown> | null | undefined): string | null {
  const v = payload?.[SESSION_ID_CLAIM];
  return typeof v === 'string' && v.length > 0 && v.length <= 64 ? v : null;
}

/**
 * The user's current version, or null when the user no longer exists or a platform admin
 * disabled the account (a disabled account has no valid session at all, whatever its version).
 */
export async function currentSessionVersion(userId: string): Promise<number | null> {
  // Imported here so session-cookie.ts (which needs only the claim) stays free of the database.
  const [{ eq }, { getDb, schema }] = await Promise.all([import('drizzle-orm'), import('@/db')]);
  const db = await getDb();
  const [u] = await db
    .select({ v: schema.users.sessionVersion, disabledAt: schema.users.disabledAt })
    .from(schema.users)
    .where(eq(schema.users.id, userId));
  return u && !u.disabledAt ? u.v : null;
}
