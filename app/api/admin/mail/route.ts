import { parseQuery, withPlatformAdmin } from '@/lib/api/handler';
import { listMailForAdmin } from '@/lib/admin/mail';
import { adminMailQuery } from '@/lib/schemas/admin';

export const dynamic = 'force-dynamic';

/** The mail outbox, newest first. Platform admins only; anyone else gets a 404. */
export const GET = withPlatformAdmin(async ({ req }) => Response.json(await listMailForAdmin(parseQuery(req, adminMailQuery))));
