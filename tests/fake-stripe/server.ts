import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { meterEvent, route, StripeError } from './api';
import { decodeForm } from './form';
import { Flows } from './flows';
import { checkoutPage, invoicePage, type PageResult, portalPage } from './pages';
import { newId, Store } from './store';
import { Webhooks } from './webhooks';

/**
 * A small, honest stand-in for Stripe over HTTP, for tests only (Stripe itself is not reachable
 * here). The official SDK talks to it through STRIPE_API_BASE. It keeps state in memory, checks
 * the secret key, answers Stripe-shaped JSON and errors, honours Idempotency-Key as Stripe does
 * (same key and parameters: the first answer again; other parameters: a 400), serves hosted
 * Checkout and portal pages, and sends signed webhooks to Warren.
 */
export type FakeStripeOptions = {
  secretKey: string;
  webhookSecret: string;
  meterEventName: string;
  webhookUrl?: string;
  port?: number;
};

export type FakeStripe = Awaited<ReturnType<typeof startFakeStripe>>;

export async function startFakeStripe(opts: FakeStripeOptions) {
  const server = http.createServer();
  await new Promise<void>((r) => server.listen(opts.port ?? 0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const store = new Store(base, newId('mtr'));
  const webhooks = new Webhooks(opts.webhookSecret);
  webhooks.url = opts.webhookUrl ?? null;
  const flows = new Flows(store, webhooks);
  const idempotent = new Map<string, { fingerprint: string; status: number; body: string }>();
  /** Requests to answer with a 500 (path prefix → how many): Stripe having a bad minute. */
  const failures = new Map<string, number>();

  server.on('request', (req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', base);
      const method = req.method ?? 'GET';
      const send = (status: number, body: unknown, headers: Record<string, string> = {}) =>
        res.writeHead(status, { 'content-type': 'application/json', 'request-id': newId('req'), ...headers }).end(typeof body === 'string' ? body : JSON.stringify(body));
      const sendPage = (r: PageResult) => (r.location ? res.writeHead(r.status, { location: r.location }).end() : res.writeHead(r.status, { 'content-type': 'text/html; charset=utf-8' }).end(r.html));
      try {
        const p = url.pathname;
        if (p.startsWith('/c/pay/')) return sendPage(checkoutPage(store, flows, method, p.split('/')[3]!, new URLSearchParams(raw)));
        const portal = /^\/p\/session\/([^/]+)(?:\/(cancel|switch))?$/.exec(p);
        if (portal) return sendPage(portalPage(store, flows, method, portal[1]!, portal[2] ?? null, new URLSearchParams(raw)));
        if (p.startsWith('/i/')) return sendPage(invoicePage(store, p.split('/')[2]!));
        if (p === '/_fake/state') return send(200, state());
        if (!p.startsWith('/v1/')) return send(404, { error: { type: 'invalid_request_error', message: 'Not found' } });

        if (req.headers.authorization !== `Bearer ${opts.secretKey}`) {
          return send(401, { error: { type: 'invalid_request_error', message: `Invalid API Key provided: ${String(req.headers.authorization ?? '').slice(7, 15)}****` } });
        }
        for (const [prefix, n] of failures) {
          if (p.startsWith(prefix) && n > 0) {
            failures.set(prefix, n - 1);
            return send(500, { error: { type: 'api_error', message: 'An unknown error occurred (fake outage).' } });
          }
        }
        const key = method === 'POST' ? (req.headers['idempotency-key'] as string | undefined) : undefined;
        const fingerprint = createHash('sha256').update(`${method} ${p} ${raw}`).digest('hex');
        const prior = key ? idempotent.get(key) : undefined;
        if (prior) {
          if (prior.fingerprint !== fingerprint) {
            return send(400, { error: { type: 'idempotency_error', message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.` } });
          }
          if (p === '/v1/billing/meter_events') {
            const params = decodeForm(raw);
            store.meterRequests.push({ identifier: String(params.identifier ?? ''), value: String((params.payload as Record<string, string>)?.value ?? ''), replayed: true, idempotencyKey: key ?? null });
          }
          return send(prior.status, prior.body, { 'idempotent-replayed': 'true' });
        }
        const params = method === 'POST' ? decodeForm(raw) : {};
        let result: { status: number; body: unknown };
        try {
          result =
            p === '/v1/billing/meter_events' && method === 'POST'
              ? meterEvent(store, params, opts.meterEventName, { idempotencyKey: key ?? null })
              : route(store, flows, method, p, url.searchParams, params);
        } catch (err) {
          if (!(err instanceof StripeError)) throw err;
          result = { status: err.status, body: { error: { type: 'invalid_request_error', message: err.message, ...(err.code ? { code: err.code } : {}), ...(err.param ? { param: err.param } : {}) } } };
        }
        const body = JSON.stringify(result.body);
        // Stripe keeps a key's answer unless it was its own 5xx (those may be retried for real).
        if (key && result.status < 500) idempotent.set(key, { fingerprint, status: result.status, body });
        return send(result.status, body);
      } catch (err) {
        return send(500, { error: { type: 'api_error', message: (err as Error).message } });
      }
    });
  });

  function state() {
    return {
      customers: [...store.customers.values()],
      subscriptions: [...store.subscriptions.values()],
      invoices: [...store.invoices.values()],
      meterEvents: [...store.meterEvents.values()],
      meterRequests: store.meterRequests,
      events: webhooks.events.map((e) => ({ id: e.id, type: e.type, created: e.created })),
      deliveries: webhooks.deliveries,
    };
  }

  return {
    base,
    store,
    flows,
    webhooks,
    state,
    /** The next `n` requests under `prefix` answer 500 (the SDK retries each call twice itself). */
    failNext(prefix: string, n: number) {
      failures.set(prefix, n);
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
