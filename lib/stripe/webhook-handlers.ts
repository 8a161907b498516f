import { type Stripe, stripeClient } from './client';
import { requireStripe } from './config';
import { orgForCustomer } from './customers';
import { applyInvoice, invoiceState } from './invoices';
import { type ApplyResult, applySubscription, liveSubscription, subState } from './subscriptions';

export type Outcome = 'applied' | 'stale' | 'ignored';

const SUBSCRIPTION_EVENTS = new Set([
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
  'customer.subscription.paused',
  'customer.subscription.resumed',
]);
const INVOICE_EVENTS = new Set([
  'invoice.finalized',
  'invoice.paid',
  'invoice.payment_succeeded',
  'invoice.payment_failed',
  'invoice.updated',
  'invoice.voided',
  'invoice.marked_uncollectible',
]);

const idOf = (x: string | { id: string } | null | undefined) => (typeof x === 'string' ? x : (x?.id ?? null));
const nowSec = () => Math.floor(Date.now() / 1000);
const outcomeOf = (r: ApplyResult): Outcome => (r === 'stale' ? 'stale' : 'applied');

/**
 * One handler per kind of event. Objects in an event are the state at the event's `created`
 * time; Stripe delivers events late, twice and out of order, so every write is ordered by that
 * time (lib/stripe/subscriptions.ts), and a tie is settled by reading the object from Stripe.
 * Events for customers that are not Warren's, and types Warren does not use, are `ignored`.
 */
export async function handleEvent(event: Stripe.Event): Promise<{ outcome: Outcome; orgId: string | null }> {
  const obj = event.data.object as unknown as { customer?: string | { id: string } | null };
  const customerId = idOf(obj.customer);
  const handled = SUBSCRIPTION_EVENTS.has(event.type) || INVOICE_EVENTS.has(event.type) || event.type === 'checkout.session.completed';
  if (!handled || !customerId) return { outcome: 'ignored', orgId: null };
  const orgId = await orgForCustomer(customerId);
  if (!orgId) return { outcome: 'ignored', orgId: null };

  if (SUBSCRIPTION_EVENTS.has(event.type)) {
    const sub = event.data.object as Stripe.Subscription;
    let r = await applySubscription(orgId, subState(sub), event.created, 'event');
    if (r === 'tie') r = await freshSubscription(orgId, sub.id);
    return { outcome: outcomeOf(r), orgId };
  }
  if (INVOICE_EVENTS.has(event.type)) {
    const inv = event.data.object as Stripe.Invoice;
    let r = await applyInvoice(orgId, invoiceState(inv), event.created, 'event');
    if (r === 'tie') {
      const t = nowSec();
      r = await applyInvoice(orgId, invoiceState(await stripeClient().invoices.retrieve(inv.id!)), t, 'fetch');
    }
    return { outcome: outcomeOf(r), orgId };
  }
  return { outcome: await checkoutCompleted(orgId, customerId, event.data.object as Stripe.Checkout.Session), orgId };
}

async function freshSubscription(orgId: string, id: string): Promise<ApplyResult> {
  const t = nowSec();
  return applySubscription(orgId, subState(await stripeClient().subscriptions.retrieve(id)), t, 'fetch');
}

/**
 * Checkout finished. Subscription mode: the new subscription is read from Stripe and applied
 * (its own created/updated events may come before or after; ordering sorts them out). Setup mode
 * (a card added without a plan): the card becomes the customer's default, and an org with no
 * live subscription is subscribed to the usage price alone, so usage past credit is invoiced.
 * Both Stripe writes are idempotent, so a replayed event never makes a second subscription.
 */
async function checkoutCompleted(orgId: string, customerId: string, session: Stripe.Checkout.Session): Promise<Outcome> {
  if (session.status !== 'complete') return 'ignored';
  const stripe = stripeClient();
  if (session.mode === 'subscription') {
    const subId = idOf(session.subscription);
    return subId ? outcomeOf(await freshSubscription(orgId, subId)) : 'ignored';
  }
  if (session.mode !== 'setup') return 'ignored';
  const intentId = idOf(session.setup_intent);
  if (!intentId) return 'ignored';
  const intent = await stripe.setupIntents.retrieve(intentId);
  const pm = idOf(intent.payment_method);
  if (!pm) return 'ignored';
  await stripe.customers.update(customerId, { invoice_settings: { default_payment_method: pm } }, { idempotencyKey: `warren-default-pm-${session.id}` });
  if (await liveSubscription(orgId)) return 'applied';
  const sub = await stripe.subscriptions.create(
    { customer: customerId, items: [{ price: requireStripe().usagePriceId }], default_payment_method: pm, metadata: { warren_org_id: orgId } },
    { idempotencyKey: `warren-usage-subscription-${session.id}` },
  );
  return outcomeOf(await applySubscription(orgId, subState(sub), nowSec(), 'fetch'));
}
