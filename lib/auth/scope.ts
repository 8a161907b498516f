import type { Role } from './permissions';

/**
 * Who is calling and as which org. Resolved from the request (API key, or console session +
 * org slug), never from an id in the body. Every tenant query filters by `scope.orgId`.
 */
export type OrgScope = {
  orgId: string;
  orgSlug: string;
  role: Role;
  actor:
    | { type: 'user'; userId: string; label: string; isPlatformAdmin: boolean }
    | { type: 'api_key'; apiKeyId: string; label: string };
};

/** A signed-in person without an org context (creating orgs, accepting invitations, /admin). */
export type UserScope = { userId: string; email: string; name: string | null; isPlatformAdmin: boolean };
