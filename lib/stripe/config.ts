import { AppError } from '@/lib/errors';

/**
 * Whether Warren takes payments through Stripe, from the environment. Read at each use (like
 * SMTP_URL, lib/mail/config.ts) so tests can point the console at their own fake Stripe.
 *
 * Stripe is on when STRIPE_SECRET_KEY is set; it then also needs STRIPE_WEBHOOK_SECRET (without
 * it no webhook can be trusted, so no plan would ever change) and STRIPE_USAGE_PRICE_ID (the
 * metered price usage beyond credit is invoiced through: without it a card on file would let an
 * org run past its credit for free). A key without the rest is `incomplete`: the payment routes
 * say which variables are missing, never their values. No key at all is local mode.
 */
export const REQUIRED_VARS = ['STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET', 'STRIPE_USAGE_PRICE_ID'] as const;

export type StripeSettings = {
  secretKey: string;
  webhookSecret: string;
  usagePriceId: string;
  /** The meter's event name (its `event_name` in Stripe). */
  meterEventName: string;
  /** STRIPE_API_BASE split for the SDK's host/port/protocol options; null: api.stripe.com. */
  api: { protocol: 'http' | 'https'; host: string; port: number } | null;
};

export type StripeMode = { mode: 'local' } | { mode: 'incomplete'; missing: string[] } | ({ mode: 'stripe' } & StripeSettings);

const value = (name: string) => process.env[name]?.trim() || undefined;

export function stripeMode(): StripeMode {
  const secretKey = value('STRIPE_SECRET_KEY');
  if (!secretKey) return { mode: 'local' };
  const missing = REQUIRED_VARS.filter((n) => !value(n));
  if (missing.length) return { mode: 'incomplete', missing };
  return {
    mode: 'stripe',
    secretKey,
    webhookSecret: value('STRIPE_WEBHOOK_SECRET')!,
    usagePriceId: value('STRIPE_USAGE_PRICE_ID')!,
    meterEventName: value('STRIPE_METER_EVENT_NAME') ?? 'warren_usage_micros',
    api: apiBase(value('STRIPE_API_BASE')),
  };
}

function apiBase(raw: string | undefined): StripeSettings['api'] {
  if (!raw) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error('STRIPE_API_BASE must be a URL such as http://127.0.0.1:12111');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('STRIPE_API_BASE must be an http or https URL');
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return { protocol, host: url.hostname, port: Number(url.port || (protocol === 'http' ? 80 : 443)) };
}

/** What the payment parts of the API and console say when Stripe is off or half set up. */
export function notConfiguredMessage(m: StripeMode): string {
  if (m.mode === 'incomplete') {
    return `Stripe is only partly configured on this Warren: set ${m.missing.join(' and ')} as well (see the README, Stripe)`;
  }
  return `Payments are not enabled on this Warren (local mode): set ${REQUIRED_VARS.join(', ')} to enable Stripe (see the README, Stripe)`;
}

/** The settings, or the 409 every payment route answers while Stripe is not configured. */
export function requireStripe(): StripeSettings {
  const m = stripeMode();
  if (m.mode !== 'stripe') {
    throw new AppError('stripe_not_configured', notConfiguredMessage(m), { mode: m.mode, missing: m.mode === 'incomplete' ? m.missing : [...REQUIRED_VARS] });
  }
  return m;
}

/** For GET /api/v1/billing: how payments stand, without any secret. */
export function paymentProvider() {
  const m = stripeMode();
  return m.mode === 'stripe'
    ? { provider: 'stripe' as const, missing: [] as string[] }
    : { provider: m.mode, missing: m.mode === 'incomplete' ? m.missing : [...REQUIRED_VARS], message: notConfiguredMessage(m) };
}

function envSeconds(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  const n = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isFinite(n) || n < min) throw new Error(`${name} must be a number of seconds ≥ ${min}, got ${raw}`);
  return n;
}

/** How often the reconciler reports closed hours and retries failed reports. */
export const meterEveryMsFromEnv = () => envSeconds('WARREN_STRIPE_METER_SEC', 60, 1) * 1000;
/** How long after an hour ends before it is reported (the meter's journals must be read first). */
export const meterSettleMsFromEnv = () => envSeconds('WARREN_STRIPE_METER_SETTLE_SEC', 300, 0) * 1000;
/** How often every customer's subscriptions and invoices are re-read from Stripe (0 = never): heals missed webhooks. */
export const syncEveryMsFromEnv = () => envSeconds('WARREN_STRIPE_SYNC_SEC', 3600, 0) * 1000;
