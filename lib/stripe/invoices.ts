import { and, desc, eq, inArray, isNotNull, lt, or } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import type { OrgScope } from '@/lib/auth/scope';
import { badRequest } from '@/lib/errors';
import type { ApplyResult } from './subscriptions';
import type { Stripe } from './client';
import { minorToMicros } from './currency';
import { notifyPaymentFailed } from './payment-failed';

const { invoices } = schema;

export type InvoiceState = {
  id: string;
  customerId: string;
  subscriptionId: string | null;
  number: string | null;
  status: string;
  currency: string;
  totalMicros: number;
  amountDueMicros: number;
  amountPaidMicros: number;
  periodStart: Date | null;
  periodEnd: Date | null;
  hostedInvoiceUrl: string | null;
  invoicePdf: string | null;
  attemptCount: number;
  /** Still open after a payment attempt: that attempt failed (Stripe retries on its schedule). */
  paymentFailed: boolean;
  stripeCreated: Date;
};

const at = (s: number | null | undefined) => (typeof s === 'number' ? new Date(s * 1000) : null);

export function invoiceState(inv: Stripe.Invoice): InvoiceState {
  const sub = inv.parent?.subscription_details?.subscription;
  const currency = inv.currency;
  return {
    id: inv.id!,
    customerId: typeof inv.customer === 'string' ? inv.customer : inv.customer!.id,
    subscriptionId: typeof sub === 'string' ? sub : (sub?.id ?? null),
    number: inv.number ?? null,
    status: inv.status ?? 'draft',
    currency,
    totalMicros: minorToMicros(inv.total, currency),
    amountDueMicros: minorToMicros(inv.amount_due, currency),
    amountPaidMicros: minorToMicros(inv.amount_paid, currency),
    periodStart: at(inv.period_start),
    periodEnd: at(inv.period_end),
    hostedInvoiceUrl: inv.hosted_invoice_url ?? null,
    invoicePdf: inv.invoice_pdf ?? null,
    attemptCount: inv.attempt_count ?? 0,
    paymentFailed: inv.status === 'open' && inv.attempted === true && (inv.attempt_count ?? 0) > 0,
    stripeCreated: at(inv.created)!,
  };
}

/**
 * Records an invoice's state, ordered as subscriptions are (lib/stripe/subscriptions.ts: older is
 * stale, the same second is settled by a fresh read). A failed payment attempt not yet told about
 * e-mails the org's owners and billing members once per attempt, in the same transaction (so a
 * replay never mails twice), and is audited; the banner reads the row.
 */
export async function applyInvoice(orgId: string, s: InvoiceState, version: number, from: 'event' | 'fetch'): Promise<ApplyResult> {
  const db = await getDb();
  const after: Array<() => void> = [];
  const result = await db.transaction(async (tx) => {
    const [held] = await tx.select().from(invoices).where(eq(invoices.id, s.id)).for('update');
    if (held && from === 'event' && version < held.version) return 'stale' as const;
    if (held && from === 'event' && version === held.version) return 'tie' as const;
    const failedAt = s.paymentFailed ? (held?.paymentFailedAt ?? new Date(version * 1000)) : null;
    const tell = s.paymentFailed && s.attemptCount > (held?.notifiedAttempt ?? 0);
    const { paymentFailed: _p, ...fields } = s;
    const row = {
      ...fields,
      orgId,
      paymentFailedAt: failedAt,
      notifiedAttempt: tell ? s.attemptCount : (held?.notifiedAttempt ?? 0),
      version: Math.max(version, held?.version ?? 0),
      updatedAt: new Date(),
    };
    await tx.insert(invoices).values(row).onConflictDoUpdate({ target: invoices.id, set: row });
    if (tell) after.push(await notifyPaymentFailed(tx, orgId, s));
    return 'applied' as const;
  });
  for (const send of after) send();
  return result;
}

export type InvoiceView = {
  id: string;
  number: string | null;
  status: string;
  currency: string;
  totalMicros: number;
  amountDueMicros: number;
  amountPaidMicros: number;
  periodStart: string | null;
  periodEnd: string | null;
  hostedInvoiceUrl: string | null;
  invoicePdf: string | null;
  paymentFailedAt: string | null;
  createdAt: string;
};

const view = (r: typeof invoices.$inferSelect): InvoiceView => ({
  id: r.id,
  number: r.number,
  status: r.status,
  currency: r.currency,
  totalMicros: r.totalMicros,
  amountDueMicros: r.amountDueMicros,
  amountPaidMicros: r.amountPaidMicros,
  periodStart: r.periodStart?.toISOString() ?? null,
  periodEnd: r.periodEnd?.toISOString() ?? null,
  hostedInvoiceUrl: r.hostedInvoiceUrl,
  invoicePdf: r.invoicePdf,
  paymentFailedAt: r.status === 'open' ? (r.paymentFailedAt?.toISOString() ?? null) : null,
  createdAt: r.stripeCreated.toISOString(),
});

/** GET /api/v1/billing/invoices: the org's invoices, newest first, keyset-paginated. Drafts are Stripe's business until finalized. */
export async function listInvoices(scope: Pick<OrgScope, 'orgId'>, q: { cursor?: string; limit: number }) {
  const after = q.cursor ? decodeCursor(q.cursor) : null;
  const db = await getDb();
  const rows = await db
    .select()
    .from(invoices)
    .where(
      and(
        eq(invoices.orgId, scope.orgId),
        inArray(invoices.status, ['open', 'paid', 'void', 'uncollectible']),
        after ? or(lt(invoices.stripeCreated, after.at), and(eq(invoices.stripeCreated, after.at), lt(invoices.id, after.id))) : undefined,
      ),
    )
    .orderBy(desc(invoices.stripeCreated), desc(invoices.id))
    .limit(q.limit + 1);
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return {
    invoices: page.map(view),
    nextCursor: rows.length > q.limit && last ? Buffer.from(`${last.stripeCreated.toISOString()}|${last.id}`).toString('base64url') : null,
  };
}

function decodeCursor(cursor: string): { at: Date; id: string } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  if (!at || !id || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(at) || !/^in_[A-Za-z0-9_]{1,100}$/.test(id)) throw badRequest('Invalid cursor');
  return { at: new Date(at), id };
}

/** The open invoice whose last payment attempt failed (the banner), newest first. */
export async function failedInvoice(orgId: string) {
  const db = await getDb();
  const [r] = await db
    .select()
    .from(invoices)
    .where(and(eq(invoices.orgId, orgId), eq(invoices.status, 'open'), isNotNull(invoices.paymentFailedAt)))
    .orderBy(desc(invoices.paymentFailedAt))
    .limit(1);
  return r
    ? { invoiceId: r.id, number: r.number, amountDueMicros: r.amountDueMicros, currency: r.currency, hostedInvoiceUrl: r.hostedInvoiceUrl, failedAt: r.paymentFailedAt!.toISOString() }
    : null;
}
