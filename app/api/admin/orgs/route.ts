import { parseQuery, withPlatformAdmin } from '@/lib/api/handler';
import { listOrgsForAdmin } from '@/lib/admin/orgs';
import { adminOrgsQuery } from '@/lib/schemas/admin';

export const dynamic = 'force-dynamic';

/** Platform admins only; everyone else gets a 404, as if /api/admin did not exist. */
export const GET = withPlatformAdmin(async ({ req }) => Response.json(await listOrgsForAdmin(parseQuery(req, adminOrgsQuery))));
