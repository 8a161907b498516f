import { parseQuery, withPlatformAdmin } from '@/lib/api/handler';
import { platformRevenue } from '@/lib/admin/revenue';
import { adminRevenueQuery } from '@/lib/schemas/admin';

export const dynamic = 'force-dynamic';

/** A month's metered cost and credit use by day (and subscriptions once invoices exist). Platform admins only. */
export const GET = withPlatformAdmin(async ({ req }) => Response.json(await platformRevenue(parseQuery(req, adminRevenueQuery).month)));
