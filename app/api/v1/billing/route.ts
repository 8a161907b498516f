import { parseJson, withOrg } from '@/lib/api/handler';
import { getBilling, updateBilling } from '@/lib/billing/billing-view';
import { updateBillingBody } from '@/lib/schemas/billing';

export const dynamic = 'force-dynamic';

/** Plan, balance and credits, this period's usage and projection, spend limit and alert, payment, suspension. */
export const GET = withOrg('billing:read', async ({ scope }) => Response.json(await getBilling(scope)));

/** The monthly spend limit (hard cap) and alert threshold, in micro-dollars; null clears one. */
export const PATCH = withOrg('billing:write', async ({ req, scope }) => Response.json(await updateBilling(scope, await parseJson(req, updateBillingBody))));
