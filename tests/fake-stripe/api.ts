import { type FormValue, list, metadata, obj, str } from './form';
import type { Flows } from './flows';
import { type CheckoutSession, type Customer, newId, type Store } from './store';

/**
 * The `/v1` endpoints Warren calls, with Stripe's validation where Warren could get it wrong
 * (unknown ids, missing required parameters, meter event limits) and Stripe's error shape.
 */
export type ApiResult = { status: number; body: unknown };

export class StripeError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
    readonly param?: string,
  ) {
    super(message);
  }
}

const WORDS = new Set(['customers', 'checkout', 'sessions', 'billing_portal', 'subscriptions', 'invoices', 'setup_intents', 'prices', 'billing', 'meter_events']);
const missing = (what: string, id: string) => new StripeError(404, `No such ${what}: '${id}'`, 'resource_missing', 'id');
const required = (param: string) => new StripeError(400, `Missing required param: ${param}.`, 'parameter_missing', param);

export function route(s: Store, flows: Flows, method: string, path: string, q: URLSearchParams, p: Record<string, FormValue>): ApiResult {
  const seg = path.split('/').filter(Boolean).slice(1); // after v1
  const key = `${method} /${seg.map((x) => (WORDS.has(x) ? x : ':id')).join('/')}`;
  const id = seg.find((x) => !WORDS.has(x)) ?? '';
  const ok = (body: unknown) => ({ status: 200, body });
  switch (key) {
    case 'POST /customers': {
      const c: Customer = { id: newId('cus'), object: 'customer', created: s.now(), name: str(p.name) ?? null, email: str(p.email) ?? null, metadata: metadata(p.metadata), invoice_settings: { default_payment_method: null }, livemode: false };
      s.customers.set(c.id, c);
      return ok(c);
    }
    case 'GET /customers/:id':
      return ok(s.customers.get(id) ?? throwIt(missing('customer', id)));
    case 'POST /customers/:id': {
      const c = s.customers.get(id) ?? throwIt(missing('customer', id));
      if (p.name !== undefined) c.name = str(p.name) ?? null;
      if (p.metadata !== undefined) Object.assign(c.metadata, metadata(p.metadata));
      const pm = str(obj(p.invoice_settings).default_payment_method);
      if (pm !== undefined) c.invoice_settings.default_payment_method = pm;
      return ok(c);
    }
    case 'POST /checkout/sessions':
      return ok(createSession(s, p));
    case 'GET /checkout/sessions/:id':
      return ok(s.sessions.get(id) ?? throwIt(missing('checkout.session', id)));
    case 'POST /billing_portal/sessions': {
      const customer = str(p.customer) ?? throwIt(required('customer'));
      if (!s.customers.has(customer)) throw missing('customer', customer);
      const flow = obj(p.flow_data);
      const portal = { id: newId('bps'), object: 'billing_portal.session' as const, customer, return_url: str(p.return_url) ?? null, flow: str(flow.type) ? flow : null, created: s.now(), url: '', livemode: false as const };
      portal.url = `${s.base}/p/session/${portal.id}`;
      s.portalSessions.set(portal.id, portal);
      return ok(portal);
    }
    case 'GET /subscriptions': {
      const customer = q.get('customer');
      const all = [...s.subscriptions.values()].filter((x) => !customer || x.customer === customer);
      const data = q.get('status') === 'all' ? all : all.filter((x) => x.status !== 'canceled' && x.status !== 'incomplete_expired');
      return ok({ object: 'list', data: data.slice(0, Number(q.get('limit') ?? 10)), has_more: false, url: '/v1/subscriptions' });
    }
    case 'GET /subscriptions/:id':
      return ok(s.subscriptions.get(id) ?? throwIt(missing('subscription', id)));
    case 'POST /subscriptions': {
      const customer = str(p.customer) ?? throwIt(required('customer'));
      if (!s.customers.has(customer)) throw missing('customer', customer);
      const items = list(p.items).map((i) => ({ price: str(obj(i).price) ?? throwIt(required('items[0][price]')) }));
      if (items.length === 0) throw required('items');
      for (const i of items) if (!s.prices.has(i.price)) throw missing('price', i.price);
      return ok(flows.createSubscription(customer, items, str(p.default_payment_method) ?? null, metadata(p.metadata)));
    }
    case 'GET /invoices': {
      const customer = q.get('customer');
      const data = [...s.invoices.values()].filter((x) => !customer || x.customer === customer).sort((a, b) => b.created - a.created);
      return ok({ object: 'list', data: data.slice(0, Number(q.get('limit') ?? 10)), has_more: false, url: '/v1/invoices' });
    }
    case 'GET /invoices/:id':
      return ok(s.invoices.get(id) ?? throwIt(missing('invoice', id)));
    case 'GET /setup_intents/:id':
      return ok(s.setupIntents.get(id) ?? throwIt(missing('setup_intent', id)));
    case 'GET /prices/:id':
      return ok(s.prices.get(id) ?? throwIt(missing('price', id)));
    default:
      throw new StripeError(404, `Unrecognized request URL (${method}: ${path}).`);
  }
}

function createSession(s: Store, p: Record<string, FormValue>): CheckoutSession {
  const mode = str(p.mode);
  if (mode !== 'subscription' && mode !== 'setup') throw new StripeError(400, 'Invalid mode: must be one of payment, setup or subscription', 'parameter_invalid_string', 'mode');
  const customer = str(p.customer) ?? throwIt(required('customer'));
  if (!s.customers.has(customer)) throw missing('customer', customer);
  const success = str(p.success_url) ?? throwIt(required('success_url'));
  const items = list(p.line_items).map((i) => ({ price: str(obj(i).price) ?? '', quantity: str(obj(i).quantity) ? Number(str(obj(i).quantity)) : undefined }));
  if (mode === 'subscription') {
    if (items.length === 0) throw required('line_items');
    for (const i of items) if (!s.prices.has(i.price)) throw missing('price', i.price);
  } else if (!str(p.currency) && list(p.payment_method_types).length === 0) {
    throw new StripeError(400, 'You must provide currency or payment_method_types in setup mode.', 'parameter_missing', 'currency');
  }
  const now = s.now();
  const id = newId('cs_test');
  const session: CheckoutSession = {
    id,
    object: 'checkout.session',
    mode,
    status: 'open',
    payment_status: mode === 'setup' ? 'no_payment_required' : 'unpaid',
    customer,
    client_reference_id: str(p.client_reference_id) ?? null,
    success_url: success,
    cancel_url: str(p.cancel_url) ?? null,
    url: `${s.base}/c/pay/${id}`,
    metadata: metadata(p.metadata),
    subscription: null,
    setup_intent: null,
    currency: str(p.currency) ?? null,
    created: now,
    expires_at: now + 86_400,
    livemode: false,
  };
  s.sessions.set(id, session);
  s.sessionItems.set(id, items);
  return session;
}

/** Stripe's v1 meter event endpoint: one stored event per identifier (a duplicate is counted once). */
export function meterEvent(s: Store, p: Record<string, FormValue>, meterEventName: string, replayNote: { idempotencyKey: string | null }): ApiResult {
  const name = str(p.event_name) ?? throwIt(required('event_name'));
  if (name !== meterEventName) throw new StripeError(400, `No active meter found for event name ${name}.`, 'resource_missing', 'event_name');
  const payload = metadata(p.payload);
  const customer = payload.stripe_customer_id ?? throwIt(required('payload[stripe_customer_id]'));
  if (!s.customers.has(customer)) throw missing('customer', customer);
  if (!/^-?\d+$/.test(payload.value ?? '')) throw new StripeError(400, 'payload[value] must be a whole number.', 'parameter_invalid_integer', 'payload[value]');
  const now = s.now();
  const timestamp = str(p.timestamp) ? Number(str(p.timestamp)) : now;
  if (timestamp < now - 35 * 86_400 || timestamp > now + 300) throw new StripeError(400, 'timestamp must be within the past 35 days and at most 5 minutes in the future.', 'parameter_invalid_integer', 'timestamp');
  const identifier = str(p.identifier) ?? newId('mev');
  s.meterRequests.push({ identifier, value: payload.value!, replayed: false, idempotencyKey: replayNote.idempotencyKey });
  const existing = s.meterEvents.get(identifier);
  if (existing) return { status: 200, body: existing };
  const event = { object: 'billing.meter_event' as const, created: now, event_name: name, identifier, payload, timestamp, livemode: false as const };
  s.meterEvents.set(identifier, event);
  return { status: 200, body: event };
}

function throwIt(e: Error): never {
  throw e;
}
