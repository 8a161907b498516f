import type { Flows } from './flows';
import type { Store } from './store';

/**
 * The fake's hosted pages, the minimum a browser needs: Checkout (pay, or a card that is
 * declined; a setup session saves a card) which redirects to the session's success URL, and the
 * Customer Portal (switch plan, cancel, return). Plain HTML forms, no script.
 */
export type PageResult = { status: number; html?: string; location?: string };

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const page = (title: string, body: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${esc(title)}</title></head><body style="font-family:sans-serif;max-width:480px;margin:40px auto;padding:0 16px"><h1>${esc(title)}</h1>${body}</body></html>`;
const cents = (n: number) => `$${(n / 100).toFixed(2)}`;

export function checkoutPage(s: Store, flows: Flows, method: string, id: string, form: URLSearchParams): PageResult {
  const session = s.sessions.get(id);
  if (!session) return { status: 404, html: page('Not found', '<p>No such Checkout session.</p>') };
  if (session.status !== 'open') return { status: 410, html: page('Checkout', '<p>This Checkout session is no longer open.</p>') };
  let notice = '';
  if (method === 'POST') {
    const result = flows.completeCheckout(id, { decline: form.get('outcome') === 'decline' });
    if ('redirect' in result) return { status: 303, location: result.redirect };
    notice = '<p role="alert">Your card was declined.</p>';
  }
  const items = (s.sessionItems.get(id) ?? []).map((i) => {
    const price = s.prices.get(i.price)!;
    const what = price.recurring.usage_type === 'metered' ? 'usage, billed monthly' : `${cents(price.unit_amount ?? 0)} / month`;
    return `<li>${esc(price.id)}: ${esc(what)}</li>`;
  });
  const setup = session.mode === 'setup';
  return {
    status: method === 'POST' ? 402 : 200,
    html: page(
      setup ? 'Save a card' : 'Subscribe',
      `${notice}${setup ? '<p>Your card is saved for future invoices.</p>' : `<ul>${items.join('')}</ul>`}
      <form method="post"><p><label>Card number <input name="card" value="4242 4242 4242 4242"></label></p>
      <button name="outcome" value="pay" type="submit">${setup ? 'Save card' : 'Pay and subscribe'}</button>
      <button name="outcome" value="decline" type="submit">Use a card that is declined</button></form>
      ${session.cancel_url ? `<p><a href="${esc(session.cancel_url)}">Cancel and go back</a></p>` : ''}`,
    ),
  };
}

export function portalPage(s: Store, flows: Flows, method: string, id: string, action: string | null, form: URLSearchParams): PageResult {
  const portal = s.portalSessions.get(id);
  if (!portal) return { status: 404, html: page('Not found', '<p>No such portal session.</p>') };
  if (method === 'POST') {
    const sub = form.get('subscription') ?? '';
    if (s.subscriptions.get(sub)?.customer !== portal.customer) return { status: 404, html: page('Not found', '<p>No such subscription.</p>') };
    if (action === 'cancel') flows.cancel(sub);
    else if (action === 'switch' && s.prices.has(form.get('price') ?? '')) flows.switchPrice(sub, form.get('price')!);
    return { status: 303, location: `/p/session/${id}` };
  }
  const subs = [...s.subscriptions.values()].filter((x) => x.customer === portal.customer);
  const licensed = [...s.prices.values()].filter((p) => p.recurring.usage_type === 'licensed');
  const rows = subs.map((sub) => {
    const live = sub.status !== 'canceled';
    const switches = licensed
      .map((p) => `<form method="post" action="/p/session/${id}/switch"><input type="hidden" name="subscription" value="${sub.id}"><input type="hidden" name="price" value="${p.id}"><button type="submit">Switch to ${esc(p.id)}</button></form>`)
      .join('');
    const cancel = `<form method="post" action="/p/session/${id}/cancel"><input type="hidden" name="subscription" value="${sub.id}"><button type="submit">Cancel subscription</button></form>`;
    return `<section><p>${esc(sub.id)}: ${esc(sub.status)} (${sub.items.data.map((i) => esc(i.price.id)).join(', ')})</p>${live ? switches + cancel : ''}</section>`;
  });
  const back = portal.return_url ? `<p><a href="${esc(portal.return_url)}">Return to Warren</a></p>` : '';
  return { status: 200, html: page('Manage billing', `${rows.join('') || '<p>No subscriptions.</p>'}${back}`) };
}

/** Stripe's hosted invoice page, enough to follow the link: number, status, amount. */
export function invoicePage(s: Store, id: string): PageResult {
  const inv = s.invoices.get(id);
  if (!inv) return { status: 404, html: page('Not found', '<p>No such invoice.</p>') };
  return { status: 200, html: page(`Invoice ${inv.number ?? inv.id}`, `<p>Status: ${esc(inv.status)}</p><p>Total: ${cents(inv.total)}</p>`) };
}
