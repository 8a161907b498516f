import { parseQuery, withPlatformAdmin } from '@/lib/api/handler';
import { listSandboxesForAdmin } from '@/lib/admin/sandboxes';
import { adminSandboxesQuery } from '@/lib/schemas/admin';

export const dynamic = 'force-dynamic';

/** Every org's sandboxes, filtered by state, org and runner. Platform admins only; others get a 404. */
export const GET = withPlatformAdmin(async ({ req }) => Response.json(await listSandboxesForAdmin(parseQuery(req, adminSandboxesQuery))));
