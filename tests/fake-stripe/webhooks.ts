import Stripe from 'stripe';
import { newId } from './store';

/**
 * The fake's webhook side: every state change becomes an event (its object as it is at that
 * moment), signed with the official SDK's `generateTestHeaderString` and POSTed to Warren's
 * endpoint. `auto` delivers in order as they happen; `hold` keeps them so a test can deliver
 * them later, twice, or in another order, as Stripe may.
 */
export type FakeEvent = {
  id: string;
  object: 'event';
  api_version: string;
  created: number;
  type: string;
  data: { object: unknown };
  livemode: false;
  pending_webhooks: number;
  request: { id: null; idempotency_key: null };
};
export type Delivery = { eventId: string; type: string; status: number; body: string };

const sdk = new Stripe('sk_test_for_signing_only');

export class Webhooks {
  url: string | null = null;
  mode: 'auto' | 'hold' = 'auto';
  events: FakeEvent[] = [];
  held: FakeEvent[] = [];
  deliveries: Delivery[] = [];
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly secret: string) {}

  /** Records an event with a deep copy of the object (later changes must not leak into it). */
  emit(type: string, object: unknown, created: number): FakeEvent {
    const event: FakeEvent = {
      id: newId('evt'),
      object: 'event',
      api_version: Stripe.API_VERSION,
      created,
      type,
      data: { object: structuredClone(object) },
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
    };
    this.events.push(event);
    if (this.mode === 'hold') this.held.push(event);
    else this.queue = this.queue.then(() => this.send(event));
    return event;
  }

  /** Resolves once every event emitted so far in auto mode has been delivered (or refused). */
  settled(): Promise<unknown> {
    return this.queue;
  }

  /** Takes the held events (and keeps holding new ones). */
  takeHeld(): FakeEvent[] {
    const out = this.held;
    this.held = [];
    return out;
  }

  /** Sends one event now, signed, and records Warren's answer. */
  async send(event: FakeEvent, opts: { secret?: string; signature?: string } = {}): Promise<Delivery> {
    if (!this.url) throw new Error('fake Stripe: no webhook URL to deliver to');
    const payload = JSON.stringify(event);
    const signature = opts.signature ?? sdk.webhooks.generateTestHeaderString({ payload, secret: opts.secret ?? this.secret });
    let d: Delivery;
    try {
      const res = await fetch(this.url, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': signature }, body: payload });
      d = { eventId: event.id, type: event.type, status: res.status, body: await res.text() };
    } catch (err) {
      d = { eventId: event.id, type: event.type, status: 0, body: (err as Error).message };
    }
    this.deliveries.push(d);
    return d;
  }
}
