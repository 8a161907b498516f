import { parseQuery, withOrg } from '@/lib/api/handler';
import { invoicesQuery } from '@/lib/schemas/stripe';
import { listInvoices } from '@/lib/stripe/invoices';

export const dynamic = 'force-dynamic';

/** The org's invoices as Stripe last described them (a local copy; empty in local mode), newest first. */
export const GET = withOrg('billing:read', async ({ req, scope }) => {
  const q = parseQuery(req, invoicesQuery);
  return Response.json(await listInvoices(scope, { cursor: q.cursor, limit: q.limit ?? 20 }));
});
