import type { OrgScope, UserScope } from './scope';
import { AppError } from '@/lib/errors';

/**
 * Resolves the caller of an /api request.
 * - `Authorization: Bearer wrn_…` → the key's org, with the key's role.
 * - Otherwise the Auth.js session + the org named by the `x-warren-org` header (its slug);
 *   the caller's membership role in that org. Not a member → 404 (the org does not exist for them).
 * TODO(auth helper): implement.
 */
export async function resolveOrgScope(_req: Request): Promise<OrgScope> {
  throw new AppError('unauthorized', 'Sign in or send an API key');
}

export async function resolveUserScope(_req: Request): Promise<UserScope> {
  throw new AppError('unauthorized', 'Sign in first');
}
