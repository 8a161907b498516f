import { withPublic } from '@/lib/api/handler';
import { receiveWebhook } from '@/lib/stripe/webhook';

export const dynamic = 'force-dynamic';

/**
 * Stripe's webhook endpoint: no session or key, the Stripe-Signature header over the raw body
 * is the authentication (lib/stripe/webhook.ts). Register https://<console>/api/stripe/webhook
 * in Stripe with the events the README lists.
 */
export const POST = withPublic(async ({ req }) => receiveWebhook(req));
