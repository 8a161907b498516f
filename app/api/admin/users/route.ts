import { parseQuery, withPlatformAdmin } from '@/lib/api/handler';
import { listUsersForAdmin } from '@/lib/admin/users';
import { adminUsersQuery } from '@/lib/schemas/admin';

export const dynamic = 'force-dynamic';

/** Every account, newest first, searchable by e-mail or name. Platform admins only; others get a 404. */
export const GET = withPlatformAdmin(async ({ req }) => Response.json(await listUsersForAdmin(parseQuery(req, adminUsersQuery))));
