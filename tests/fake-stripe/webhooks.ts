import Stripe from 'stripe';
import { newId } from './store';

/**
 * The fake's webhook side: every state change becomes an event (its object as it is at that
 * moment), signed with the official SDK's `generateTestHeaderString` and POSTed to Warren's
 * endpoint. `auto` delivers in order as they happen, and like Stripe tries an event again when
 * Warren answers anything but 2xx or cannot be reached (a few times, seconds apart here where
 * Stripe backs off for days; every attempt is in `deliveries`); `hold` keeps them so a test can
 * deliver them later, twice, or in another order, as Stripe may. `send` is one attempt.
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
/** Stripe's automatic retries of a refused event, scaled down to a test's time. */
const AUTO_RETRY_DELAYS_MS = [500, 1_000, 2_000];

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
    else this.queue = this.queue.then(() => this.deliver(event));
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

  /** Sends an event until Warren takes it (2xx) or AUTO_RETRY_DELAYS_MS run out. */
  private async deliver(event: FakeEvent): Promise<Delivery> {
    let d = await this.send(event);
    for (const ms of AUTO_RETRY_DELAYS_MS) {
      if (d.status >= 200 && d.status < 300) break;
      await new Promise((r) => setTimeout(r, ms));
      d = await this.send(event);
    }
    return d;
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
