import type { Permission } from '@/lib/auth/permissions';
import type { OrgScope } from '@/lib/auth/scope';
import { sandboxIdFor } from '@/lib/sandboxes/names';
import { withOrg } from './handler';

type Handler = Parameters<typeof withOrg>[1];

/**
 * `withOrg` for routes under /api/v1/sandboxes/:id: the `id` segment may be the sandbox's id or
 * its name (lib/sandboxes/names.ts), resolved here, in the scope step, so every service below
 * sees an id. An id costs no query; a name one indexed lookup in the caller's org.
 */
export function withSandbox(permission: Permission, handler: Handler) {
  return withOrg(permission, async (args: { req: Request; scope: OrgScope; params: Record<string, string> }) =>
    handler({ ...args, params: { ...args.params, id: await sandboxIdFor(args.scope, args.params.id!) } }),
  );
}
