import { and, eq } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import { AppError } from '@/lib/errors';
import { authenticateApiKey } from './api-key-auth';
import type { OrgScope, UserScope } from './scope';

const { orgs, memberships, users } = schema;
export const ORG_HEADER = 'x-warren-org';

/**
 * Resolves the caller of an /api request.
 * - `Authorization: Bearer …` → must be a valid org API key (`wrn_…`): the key's org and role.
 *   A bearer that is not a valid key is a 401; we never fall back to the session.
 * - Otherwise the Auth.js session + the org named by the `x-warren-org` header (its slug),
 *   with the caller's membership role. Not a member, or no such org → 404: the org does not
 *   exist for them (a 403 would confirm that it does).
 */
export async function resolveOrgScope(req: Request): Promise<OrgScope> {
  const bearer = bearerToken(req);
  if (bearer !== null) return authenticateApiKey(bearer);
  const user = await sessionUser(req);
  if (!user) throw new AppError('unauthorized', 'Sign in or send an API key');
  const slug = req.headers.get(ORG_HEADER);
  if (!slug) throw new AppError('bad_request', `Say which organization: send its slug in the ${ORG_HEADER} header`);
  return orgScopeForUser(user, slug);
}

export async function resolveUserScope(req: Request): Promise<UserScope> {
  if (bearerToken(req) !== null) {
    throw new AppError('unauthorized', 'This endpoint needs a signed-in user; API keys act for an org, not a person');
  }
  const user = await sessionUser(req);
  if (!user) throw new AppError('unauthorized', 'Sign in first');
  return user;
}

/** For pages: the signed-in user's scope in the org of the URL, or 404. */
export async function orgScopeForUser(user: UserScope, slug: string): Promise<OrgScope> {
  const db = await getDb();
  const [row] = await db
    .select({ orgId: orgs.id, orgSlug: orgs.slug, role: memberships.role, requireTwoFactor: orgs.requireTwoFactor, totpAt: users.totpEnabledAt })
    .from(orgs)
    .innerJoin(memberships, and(eq(memberships.orgId, orgs.id), eq(memberships.userId, user.userId)))
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(orgs.slug, slug.trim().toLowerCase()));
  if (!row) throw new AppError('not_found', 'Organization not found');
  if (row.requireTwoFactor && !row.totpAt) {
    throw new AppError('two_factor_required', 'This organization requires two-factor sign-in: turn it on in Account settings (/account) first');
  }
  return {
    orgId: row.orgId,
    orgSlug: row.orgSlug,
    role: row.role,
    actor: { type: 'user', userId: user.userId, label: user.email, isPlatformAdmin: user.isPlatformAdmin },
  };
}

function bearerToken(req: Request): string | null {
  const h = req.headers.get('authorization');
  if (!h) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  if (!m) throw new AppError('unauthorized', 'Malformed Authorization header: expected "Bearer <API key>"');
  return m[1]!;
}

// The session comes from the request's own cookie (not Next's request context), so the same
// resolution works in route handlers, in server.ts and in tests that build real session cookies.
async function sessionUser(req: Request): Promise<UserScope | null> {
  const { sessionUserFromCookies } = await import('./session-cookie');
  return sessionUserFromCookies(req.headers.get('cookie'));
}
