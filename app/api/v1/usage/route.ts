import { parseQuery, withOrg } from '@/lib/api/handler';
import { usageQuery } from '@/lib/schemas/usage';
import { orgUsage } from '@/lib/usage/queries';
import { usageCsv } from '@/lib/usage/summary';

export const dynamic = 'force-dynamic';

/** The org's metered usage and cost by bucket and group; `format=csv` for a spreadsheet. */
export const GET = withOrg('usage:read', async ({ req, scope }) => {
  const q = parseQuery(req, usageQuery);
  const summary = await orgUsage(scope, q);
  if (q.format === 'csv') {
    const name = `warren-usage-${q.from.toISOString().slice(0, 10)}-${q.to.toISOString().slice(0, 10)}.csv`;
    return new Response(usageCsv(summary), {
      headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${name}"`, 'cache-control': 'no-store' },
    });
  }
  return Response.json(summary);
});
