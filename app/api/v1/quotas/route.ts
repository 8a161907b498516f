import { withOrg } from '@/lib/api/handler';
import { getQuotas } from '@/lib/billing/quotas-view';

export const dynamic = 'force-dynamic';

/** Every limit of the org with its current use and its source (plan or override). */
export const GET = withOrg('usage:read', async ({ scope }) => Response.json(await getQuotas(scope)));
