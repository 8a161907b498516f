import { eq } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import { AppError } from '@/lib/errors';
import { logger } from '@/lib/logger';
import { type Stripe, stripeClient, stripeErrorSummary } from './client';
import { requireStripe } from './config';
import { handleEvent, type Outcome } from './webhook-handlers';

const { stripeEvents } = schema;
const log = logger.child({ component: 'stripe-webhook' });
/** Stripe's events are a few KB; anything far bigger is not from Stripe. */
const MAX_BODY = 512 * 1024;

/**
 * POST /api/stripe/webhook. The signature is checked with the SDK over the raw bytes (any
 * re-serialisation would break it) against STRIPE_WEBHOOK_SECRET; a missing or bad one is a 400
 * and nothing is read from the body. A verified event is processed once (lib/stripe/webhook-handlers.ts).
 */
export async function receiveWebhook(req: Request): Promise<Response> {
  const settings = requireStripe();
  const signature = req.headers.get('stripe-signature');
  if (!signature) throw new AppError('bad_request', 'Missing Stripe-Signature header');
  if (Number(req.headers.get('content-length') ?? 0) > MAX_BODY) throw new AppError('payload_too_large', 'Webhook body too large');
  const raw = Buffer.from(await req.arrayBuffer());
  if (raw.length > MAX_BODY) throw new AppError('payload_too_large', 'Webhook body too large');
  let event: Stripe.Event;
  try {
    event = stripeClient(settings).webhooks.constructEvent(raw, signature, settings.webhookSecret);
  } catch {
    // The SDK's message says why (timestamp, no matching signature); it never holds the secret.
    throw new AppError('bad_request', 'Invalid Stripe signature');
  }
  try {
    const outcome = await processEvent(event);
    return Response.json({ received: true, outcome });
  } catch (err) {
    // Stripe retries a non-2xx answer (for days, with back-off): the event is not lost.
    log.error({ eventId: event.id, type: event.type, stripe: stripeErrorSummary(err) }, 'webhook event not processed; Stripe will retry');
    return Response.json({ error: { code: 'internal', message: 'The event could not be processed now; retry later' } }, { status: 500 });
  }
}

/**
 * Handles a verified event once. The row is written when it arrives and marked processed after
 * its effects are committed; a replay of a processed event does nothing. A crash in between
 * leaves it unmarked, and Stripe's retry applies it again, which is safe: every effect is an
 * ordered state write (stale or equal states change nothing) or keyed to happen once.
 */
export async function processEvent(event: Stripe.Event): Promise<Outcome | 'duplicate'> {
  const db = await getDb();
  const [seen] = await db.select({ processedAt: stripeEvents.processedAt }).from(stripeEvents).where(eq(stripeEvents.id, event.id));
  if (seen?.processedAt) return 'duplicate';
  if (!seen) await db.insert(stripeEvents).values({ id: event.id, type: event.type, created: event.created }).onConflictDoNothing();
  const { outcome, orgId } = await handleEvent(event);
  await db.update(stripeEvents).set({ processedAt: new Date(), outcome, orgId }).where(eq(stripeEvents.id, event.id));
  log.info({ eventId: event.id, type: event.type, outcome, orgId }, 'webhook event processed');
  return outcome;
}
