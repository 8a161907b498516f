import { parseJson, withPlatformAdmin } from '@/lib/api/handler';
import { setPlatformAdmin } from '@/lib/admin/user-actions';
import { setPlatformAdminBody } from '@/lib/schemas/admin';

export const dynamic = 'force-dynamic';

/** Grants or revokes the platform admin role (never your own, never the last admin's). Audited. */
export const PATCH = withPlatformAdmin(async ({ req, scope, params }) =>
  Response.json({ user: await setPlatformAdmin(scope, params.id!, await parseJson(req, setPlatformAdminBody)) }),
);
