import { type Invoice, type Item, newId, type Price, type Store, type Subscription } from './store';
import type { Webhooks } from './webhooks';

const MONTH = 30 * 86_400;

/**
 * What happens inside Stripe when a customer pays, changes plan, cancels or reaches the end of a
 * period, with the events Stripe sends for each, in the order Stripe emits them (delivery order
 * is the webhook side's business). Prices are licensed (a monthly amount) or metered (the sum of
 * the customer's meter events in the period times the price per unit, rounded to a whole cent).
 */
export class Flows {
  constructor(
    private readonly s: Store,
    private readonly w: Webhooks,
  ) {}

  /** A customer finishes the hosted Checkout page. A declined card leaves the session open (Checkout asks again). */
  completeCheckout(sessionId: string, opts: { decline?: boolean } = {}): { redirect: string } | { declined: true } {
    const session = this.s.sessions.get(sessionId);
    if (session?.status !== 'open') throw new Error(`fake Stripe: session ${sessionId} is not open`);
    if (opts.decline) return { declined: true };
    const now = this.s.now();
    const pm = newId('pm');
    if (session.mode === 'setup') {
      const intent = { id: newId('seti'), object: 'setup_intent' as const, customer: session.customer, payment_method: pm, status: 'succeeded' as const, created: now, livemode: false as const };
      this.s.setupIntents.set(intent.id, intent);
      this.w.emit('setup_intent.succeeded', intent, now);
      Object.assign(session, { status: 'complete', payment_status: 'no_payment_required', setup_intent: intent.id, url: null });
    } else {
      const items = this.s.sessionItems.get(sessionId) ?? [];
      const sub = this.createSubscription(session.customer, items, pm, { ...session.metadata });
      Object.assign(session, { status: 'complete', payment_status: 'paid', subscription: sub.id, url: null });
    }
    this.w.emit('checkout.session.completed', session, now);
    return { redirect: session.success_url.replace('{CHECKOUT_SESSION_ID}', session.id) };
  }

  /** A subscription that starts now: created incomplete, its first invoice paid, then active. */
  createSubscription(customer: string, items: Array<{ price: string; quantity?: number }>, pm: string | null, metadata: Record<string, string>): Subscription {
    const now = this.s.now();
    const sub: Subscription = {
      id: newId('sub'),
      object: 'subscription',
      customer,
      status: 'incomplete',
      created: now,
      start_date: now,
      ended_at: null,
      canceled_at: null,
      cancel_at_period_end: false,
      default_payment_method: pm,
      latest_invoice: null,
      metadata,
      items: { object: 'list', data: items.map((i) => this.item(i.price, i.quantity, now)), has_more: false, url: '/v1/subscription_items' },
      livemode: false,
    };
    sub.items.url = `/v1/subscription_items?subscription=${sub.id}`;
    this.s.subscriptions.set(sub.id, sub);
    this.w.emit('customer.subscription.created', sub, now);
    const inv = this.invoice(sub, now, now + MONTH, now);
    this.collect(inv, sub);
    return sub;
  }

  private item(priceId: string, quantity: number | undefined, start: number): Item {
    const price = this.s.prices.get(priceId);
    if (!price) throw new Error(`fake Stripe: no price ${priceId}`);
    return { id: newId('si'), object: 'subscription_item', price, ...(price.recurring.usage_type === 'licensed' ? { quantity: quantity ?? 1 } : {}), current_period_start: start, current_period_end: start + MONTH };
  }

  /** The plan switch the portal makes: the licensed item gets another price. */
  switchPrice(subId: string, priceId: string): Subscription {
    const sub = this.mustSub(subId);
    const licensed = sub.items.data.find((i) => i.price.recurring.usage_type === 'licensed');
    const price = this.s.prices.get(priceId) as Price;
    if (licensed) licensed.price = price;
    else sub.items.data.push(this.item(priceId, 1, sub.items.data[0]?.current_period_start ?? this.s.now()));
    this.w.emit('customer.subscription.updated', sub, this.s.now());
    return sub;
  }

  cancel(subId: string): Subscription {
    const sub = this.mustSub(subId);
    const now = this.s.now();
    Object.assign(sub, { status: 'canceled', ended_at: now, canceled_at: now });
    this.w.emit('customer.subscription.deleted', sub, now);
    return sub;
  }

  /** The end of the subscription's period: the next period starts and its invoice (plan + metered usage) is collected. */
  cycle(subId: string): Invoice {
    const sub = this.mustSub(subId);
    const from = sub.items.data[0]!.current_period_start;
    const to = sub.items.data[0]!.current_period_end;
    for (const i of sub.items.data) Object.assign(i, { current_period_start: to, current_period_end: to + MONTH });
    const inv = this.invoice(sub, from, to, this.s.now());
    this.collect(inv, sub);
    return inv;
  }

  /** Stripe's dunning: another attempt at an open invoice (the customer may have fixed the card). */
  retry(invoiceId: string): Invoice {
    const inv = this.s.invoices.get(invoiceId);
    if (inv?.status !== 'open') throw new Error(`fake Stripe: invoice ${invoiceId} is not open`);
    this.collect(inv, this.mustSub(inv.parent!.subscription_details.subscription));
    return inv;
  }

  private invoice(sub: Subscription, from: number, to: number, now: number): Invoice {
    const lines = sub.items.data.map((i) => {
      const usage = i.price.recurring.usage_type === 'metered' ? this.s.usage(sub.customer, from, to) : (i.quantity ?? 1);
      const amount = Math.round(usage * Number(i.price.unit_amount_decimal));
      return { id: newId('il'), object: 'line_item' as const, amount, currency: i.price.currency, description: i.price.id, quantity: usage, pricing: { price_details: { price: i.price.id } } };
    });
    const total = lines.reduce((s, l) => s + l.amount, 0);
    const inv: Invoice = {
      id: newId('in'),
      object: 'invoice',
      customer: sub.customer,
      number: null,
      status: 'draft',
      currency: sub.items.data[0]?.price.currency ?? 'usd',
      subtotal: total,
      total,
      amount_due: total,
      amount_paid: 0,
      amount_remaining: total,
      attempted: false,
      attempt_count: 0,
      next_payment_attempt: null,
      period_start: from,
      period_end: to,
      created: now,
      hosted_invoice_url: null,
      invoice_pdf: null,
      parent: { type: 'subscription_details', subscription_details: { subscription: sub.id, metadata: {} }, quote_details: null },
      lines: { object: 'list', data: lines, has_more: false },
      livemode: false,
    };
    this.s.invoices.set(inv.id, inv);
    sub.latest_invoice = inv.id;
    this.w.emit('invoice.created', inv, now);
    Object.assign(inv, { status: 'open', number: this.s.nextInvoiceNumber(), hosted_invoice_url: `${this.s.base}/i/${inv.id}`, invoice_pdf: `${this.s.base}/i/${inv.id}/pdf` });
    this.w.emit('invoice.finalized', inv, now);
    return inv;
  }

  /** One payment attempt: paid (and the subscription active), or failed (open, past_due, retried later). */
  private collect(inv: Invoice, sub: Subscription): void {
    const now = this.s.now();
    const fails = this.s.declining.has(inv.customer) && inv.amount_due > 0;
    inv.attempted = true;
    inv.attempt_count += 1;
    if (fails) {
      inv.next_payment_attempt = now + 3 * 86_400;
      this.w.emit('invoice.payment_failed', inv, now);
      if (sub.status !== 'past_due' && sub.status !== 'incomplete') this.setStatus(sub, 'past_due', now);
      return;
    }
    Object.assign(inv, { status: 'paid', amount_paid: inv.amount_due, amount_remaining: 0, next_payment_attempt: null });
    this.w.emit('invoice.paid', inv, now);
    if (sub.status !== 'active') this.setStatus(sub, 'active', now);
  }

  private setStatus(sub: Subscription, status: Subscription['status'], now: number) {
    sub.status = status;
    this.w.emit('customer.subscription.updated', sub, now);
  }

  private mustSub(id: string): Subscription {
    const sub = this.s.subscriptions.get(id);
    if (!sub) throw new Error(`fake Stripe: no subscription ${id}`);
    return sub;
  }
}
