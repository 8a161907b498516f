import { parseJson, withOrg } from '@/lib/api/handler';
import { portalBody } from '@/lib/schemas/stripe';
import { createPortal } from '@/lib/stripe/checkout';

export const dynamic = 'force-dynamic';

/** A Stripe Customer Portal session URL (cards, invoices, cancelling, changing plans). 409 when Stripe is not configured. */
export const POST = withOrg('billing:write', async ({ req, scope }) => Response.json(await createPortal(scope, await parseJson(req, portalBody)), { status: 201 }));
