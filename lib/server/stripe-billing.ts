import { stripeMode } from '@/lib/stripe/config';
import { startStripeReconciler } from '@/lib/stripe/reconciler';
import type { BootHook } from './boot';

/**
 * Stripe's background work (lib/stripe/reconciler.ts: usage to the billing meter, a periodic
 * re-read of customers), only when Stripe is configured. The log names missing variables,
 * never values.
 */
export const stripeBilling: BootHook = async ({ log }) => {
  const m = stripeMode();
  if (m.mode === 'local') {
    log.info('payments: local mode (no STRIPE_SECRET_KEY); credit only, plans set by platform admins');
    return undefined;
  }
  if (m.mode === 'incomplete') {
    log.error({ missing: m.missing }, 'payments: STRIPE_SECRET_KEY is set but Stripe is not fully configured; payment routes answer 409 until these are set');
    return undefined;
  }
  log.info({ api: m.api ? `${m.api.protocol}://${m.api.host}:${m.api.port}` : 'api.stripe.com', meter: m.meterEventName }, 'payments: Stripe');
  return startStripeReconciler();
};
