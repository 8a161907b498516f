import { parseQuery, withPlatformAdmin } from '@/lib/api/handler';
import { adminUsage } from '@/lib/admin/usage';
import { adminUsageQuery } from '@/lib/schemas/admin';

export const dynamic = 'force-dynamic';

/** Every org's cost this month, most expensive first. Platform admins only; others get a 404. */
export const GET = withPlatformAdmin(async ({ req }) =>
  Response.json(await adminUsage(parseQuery(req, adminUsageQuery))),
);
