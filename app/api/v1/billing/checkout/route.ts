import { parseJson, withOrg } from '@/lib/api/handler';
import { checkoutBody } from '@/lib/schemas/stripe';
import { createCheckout } from '@/lib/stripe/checkout';

export const dynamic = 'force-dynamic';

/** A Stripe Checkout Session URL: subscribe to a plan, or (mode setup) save a card. 409 when Stripe is not configured. */
export const POST = withOrg('billing:write', async ({ req, scope }) => Response.json(await createCheckout(scope, await parseJson(req, checkoutBody)), { status: 201 }));
