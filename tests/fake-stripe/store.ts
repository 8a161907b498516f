import { randomBytes } from 'node:crypto';

/**
 * The fake Stripe's memory: the objects Warren touches, shaped as Stripe's API returns them
 * (only the fields Warren or the SDK read, with Stripe's names and types). Seconds are Stripe
 * time from a clock the tests can move forward.
 */
export type Price = {
  id: string;
  object: 'price';
  active: boolean;
  currency: string;
  product: string;
  unit_amount: number | null;
  /** Minor units per unit as a decimal string (metered prices price fractions of a cent). */
  unit_amount_decimal: string;
  recurring: { interval: 'month'; usage_type: 'licensed' | 'metered'; meter: string | null };
  livemode: false;
};
export type Customer = {
  id: string;
  object: 'customer';
  created: number;
  name: string | null;
  email: string | null;
  metadata: Record<string, string>;
  invoice_settings: { default_payment_method: string | null };
  livemode: false;
};
export type Item = { id: string; object: 'subscription_item'; price: Price; quantity?: number; current_period_start: number; current_period_end: number };
export type Subscription = {
  id: string;
  object: 'subscription';
  customer: string;
  status: 'incomplete' | 'incomplete_expired' | 'trialing' | 'active' | 'past_due' | 'canceled' | 'unpaid' | 'paused';
  created: number;
  start_date: number;
  ended_at: number | null;
  canceled_at: number | null;
  cancel_at_period_end: boolean;
  default_payment_method: string | null;
  latest_invoice: string | null;
  metadata: Record<string, string>;
  items: { object: 'list'; data: Item[]; has_more: false; url: string };
  livemode: false;
};
export type Invoice = {
  id: string;
  object: 'invoice';
  customer: string;
  number: string | null;
  status: 'draft' | 'open' | 'paid' | 'void' | 'uncollectible';
  currency: string;
  subtotal: number;
  total: number;
  amount_due: number;
  amount_paid: number;
  amount_remaining: number;
  attempted: boolean;
  attempt_count: number;
  next_payment_attempt: number | null;
  period_start: number;
  period_end: number;
  created: number;
  hosted_invoice_url: string | null;
  invoice_pdf: string | null;
  parent: { type: 'subscription_details'; subscription_details: { subscription: string; metadata: Record<string, string> }; quote_details: null } | null;
  lines: { object: 'list'; data: Array<{ id: string; object: 'line_item'; amount: number; currency: string; description: string; quantity: number; pricing: { price_details: { price: string } } }>; has_more: false };
  livemode: false;
};
export type CheckoutSession = {
  id: string;
  object: 'checkout.session';
  mode: 'subscription' | 'setup' | 'payment';
  status: 'open' | 'complete' | 'expired';
  payment_status: 'unpaid' | 'paid' | 'no_payment_required';
  customer: string;
  client_reference_id: string | null;
  success_url: string;
  cancel_url: string | null;
  url: string | null;
  metadata: Record<string, string>;
  subscription: string | null;
  setup_intent: string | null;
  currency: string | null;
  created: number;
  expires_at: number;
  livemode: false;
};
export type MeterEvent = { object: 'billing.meter_event'; created: number; event_name: string; identifier: string; payload: Record<string, string>; timestamp: number; livemode: false };

export const newId = (prefix: string) => `${prefix}_${randomBytes(12).toString('base64url').replace(/[-_]/g, 'x')}`;

export class Store {
  /** Seconds added to the real clock: tests move Stripe's time forward to order events. */
  offset = 0;
  prices = new Map<string, Price>();
  customers = new Map<string, Customer>();
  sessions = new Map<string, CheckoutSession>();
  /** Line items of a session, as Checkout keeps them (not part of the session object). */
  sessionItems = new Map<string, Array<{ price: string; quantity?: number }>>();
  subscriptions = new Map<string, Subscription>();
  invoices = new Map<string, Invoice>();
  setupIntents = new Map<string, { id: string; object: 'setup_intent'; customer: string; payment_method: string; status: 'succeeded'; created: number; livemode: false }>();
  portalSessions = new Map<string, { id: string; object: 'billing_portal.session'; customer: string; return_url: string | null; flow: unknown; created: number; url: string; livemode: false }>();
  /** Stored meter events, one per identifier, as the meter counts them. */
  meterEvents = new Map<string, MeterEvent>();
  /** Every meter event request that reached the fake, replays included, in order. */
  meterRequests: Array<{ identifier: string; value: string; replayed: boolean; idempotencyKey: string | null }> = [];
  /** Customers whose next payments are declined (the test's card that fails). */
  declining = new Set<string>();
  private invoiceCount = 0;

  constructor(
    readonly base: string,
    readonly meterId: string,
  ) {}

  now(): number {
    return Math.floor(Date.now() / 1000) + this.offset;
  }

  nextInvoiceNumber(): string {
    this.invoiceCount += 1;
    return `FAKE-${String(this.invoiceCount).padStart(4, '0')}`;
  }

  addPrice(p: { id: string; unitAmount?: number; unitAmountDecimal?: string; currency?: string; metered?: boolean }): Price {
    const price: Price = {
      id: p.id,
      object: 'price',
      active: true,
      currency: p.currency ?? 'usd',
      product: `prod_${p.id.slice(6)}`,
      unit_amount: p.metered ? null : (p.unitAmount ?? 0),
      unit_amount_decimal: p.unitAmountDecimal ?? String(p.unitAmount ?? 0),
      recurring: { interval: 'month', usage_type: p.metered ? 'metered' : 'licensed', meter: p.metered ? this.meterId : null },
      livemode: false,
    };
    this.prices.set(price.id, price);
    return price;
  }

  /** The metered usage of a customer in [from, to): the sum of its stored meter events. */
  usage(customer: string, from: number, to: number): number {
    let sum = 0;
    for (const e of this.meterEvents.values()) {
      if (e.payload.stripe_customer_id === customer && e.timestamp >= from && e.timestamp < to) sum += Number(e.payload.value);
    }
    return sum;
  }
}
