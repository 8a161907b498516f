import { and, eq, inArray } from 'drizzle-orm';
import { schema, type Tx } from '@/db';
import { recordAudit, systemActor } from '@/lib/audit/audit';
import { env } from '@/lib/env';
import { queueMailInTx } from '@/lib/mail/send';
import { paymentFailedMail } from '@/lib/mail/templates';
import { formatMicros } from './currency';
import type { InvoiceState } from './invoices';

const { orgs, memberships, users } = schema;

/**
 * A failed payment attempt on one of the org's invoices: an audit entry and an e-mail to each
 * owner and billing member, all in the caller's transaction (lib/stripe/invoices.ts writes them
 * once per attempt). Returns what sends the mail after the commit.
 */
export async function notifyPaymentFailed(tx: Tx, orgId: string, inv: InvoiceState): Promise<() => void> {
  await recordAudit(systemActor(orgId, 'stripe'), 'billing.payment_failed', { type: 'invoice', id: inv.id }, {
    number: inv.number,
    amountDueMicros: inv.amountDueMicros,
    currency: inv.currency,
    attempt: inv.attemptCount,
  }, tx);
  const [org] = await tx.select({ name: orgs.name, slug: orgs.slug }).from(orgs).where(eq(orgs.id, orgId));
  if (!org) return () => {};
  const to = await tx
    .select({ email: users.email })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.orgId, orgId), inArray(memberships.role, ['owner', 'billing'])));
  const mail = paymentFailedMail({
    orgName: org.name,
    amount: formatMicros(inv.amountDueMicros, inv.currency),
    invoiceNumber: inv.number,
    attempt: inv.attemptCount,
    // Only Stripe's own hosted page: the URL comes from Stripe's API, not from the request.
    payUrl: inv.hostedInvoiceUrl && /^https?:\/\//.test(inv.hostedInvoiceUrl) ? inv.hostedInvoiceUrl : null,
    billingUrl: `${env().publicUrl}/${org.slug}/billing`,
  });
  const sends: Array<() => void> = [];
  for (const { email } of to) sends.push((await queueMailInTx(tx, { to: email, ...mail, kind: 'payment_failed', orgId })).send);
  return () => {
    for (const send of sends) send();
  };
}
