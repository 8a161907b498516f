import Stripe from 'stripe';
import { AppError } from '@/lib/errors';
import { requireStripe, type StripeSettings } from './config';

/**
 * The official SDK, one client per configuration. STRIPE_API_BASE points it elsewhere (the
 * tests' fake Stripe, a self-hosted stand-in) through the SDK's own host/port/protocol options.
 * Every call has a deadline, and the SDK retries network failures and 5xx twice with its own
 * idempotency keys, so a retried POST is never applied twice by Stripe.
 */
let cached: { key: string; client: Stripe } | undefined;

export function stripeClient(settings: StripeSettings = requireStripe()): Stripe {
  const key = `${settings.secretKey}|${JSON.stringify(settings.api)}`;
  if (cached?.key === key) return cached.client;
  const client = new Stripe(settings.secretKey, {
    ...(settings.api ?? {}),
    maxNetworkRetries: 2,
    timeout: 15_000,
    telemetry: false,
    appInfo: { name: 'Warren' },
  });
  cached = { key, client };
  return client;
}

export type { Stripe };

/**
 * What may be said about a failed Stripe call: its type, code, status and message. Never the
 * request (its Authorization header holds the secret key) nor the raw error object.
 */
export function stripeErrorSummary(err: unknown): { type: string; code?: string; statusCode?: number; message: string } {
  if (err instanceof Stripe.errors.StripeError) {
    return { type: err.type, code: err.code, statusCode: err.statusCode, message: err.message };
  }
  return { type: 'Error', message: err instanceof Error ? err.message : String(err) };
}

/** A Stripe refusal that a retry cannot fix (bad parameters, a deleted customer) vs. a passing outage. */
export function isPermanentStripeError(err: unknown): boolean {
  if (!(err instanceof Stripe.errors.StripeError)) return false;
  const status = err.statusCode ?? 0;
  return status >= 400 && status < 500 && status !== 409 && status !== 429;
}

/** A failed call to Stripe from a request handler: the person sees a 502 with Stripe's reason, not a 500. */
export function stripeCallError(err: unknown, doing: string): AppError {
  const s = stripeErrorSummary(err);
  return new AppError('bad_gateway', `Stripe refused or did not answer while ${doing}: ${s.message}`, { stripe: { type: s.type, code: s.code ?? null } });
}
