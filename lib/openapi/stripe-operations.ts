import { z } from 'zod';
import { checkoutBody, invoicesQuery, portalBody } from '@/lib/schemas/stripe';
import type { DocOperation } from './sandbox-operations';

const ts = z.iso.datetime();
const money = (what: string) => z.number().int().describe(`${what}, in micro-units of the invoice's currency (1,000,000 = one dollar, euro…)`);

/** `payment` in GET /api/v1/billing: how the org pays, and what Checkout offers. */
export const paymentInfo = z.object({
  hasPaymentMethod: z.boolean().describe('A live subscription that invoices usage past credit'),
  provider: z.enum(['stripe', 'local', 'incomplete']).describe('stripe: payments on; local: no STRIPE_SECRET_KEY; incomplete: a key without the other variables'),
  missing: z.array(z.string()).describe('The environment variables that would turn Stripe on (empty when it is on)'),
  message: z.string().optional().describe('Why payments are off and how to turn them on'),
  subscriptions: z.array(
    z.object({ id: z.string(), status: z.string(), planId: z.string().nullable(), live: z.boolean(), cancelAtPeriodEnd: z.boolean(), currentPeriodEnd: ts.nullable() }),
  ),
  plans: z.array(z.object({ id: z.string(), name: z.string(), priceMicros: z.number().int(), monthlyCreditMicros: z.number().int() })).describe('Plans Checkout sells'),
});

const invoice = z.object({
  id: z.string(),
  number: z.string().nullable(),
  status: z.enum(['open', 'paid', 'void', 'uncollectible']),
  currency: z.string().describe('ISO 4217, lowercase (usd)'),
  totalMicros: money('Total'),
  amountDueMicros: money('Amount due'),
  amountPaidMicros: money('Amount paid'),
  periodStart: ts.nullable(),
  periodEnd: ts.nullable(),
  hostedInvoiceUrl: z.string().nullable().describe('Stripe’s page to view and pay the invoice'),
  invoicePdf: z.string().nullable(),
  paymentFailedAt: ts.nullable().describe('Set while the invoice is open after a failed payment attempt'),
  createdAt: ts,
});

const notConfigured = ' 409 stripe_not_configured when payments are off (the message names the variables to set).';

export const stripeOperations: DocOperation[] = [
  {
    method: 'post',
    path: '/billing/checkout',
    summary: `A Stripe Checkout URL: {planId} subscribes to a plan (plus metered usage past credit); {mode:"setup"} saves a card. 400 for a plan not sold through Stripe, 409 when a subscription exists (change plans in the portal).${notConfigured}`,
    permission: 'billing:write',
    body: checkoutBody,
    status: 201,
    response: z.object({ id: z.string(), mode: z.enum(['subscription', 'setup']), planId: z.string().nullable(), url: z.string(), expiresAt: ts.nullable() }),
  },
  {
    method: 'post',
    path: '/billing/portal',
    summary: `A Stripe Customer Portal URL (cards, invoices, cancelling; flow change_plan opens the plan switcher).${notConfigured}`,
    permission: 'billing:write',
    body: portalBody,
    status: 201,
    response: z.object({ url: z.string() }),
  },
  {
    method: 'get',
    path: '/billing/invoices',
    summary: 'The org’s invoices as Stripe last sent them (kept locally from webhooks), newest first, cursor-paginated; empty in local mode',
    permission: 'billing:read',
    query: invoicesQuery,
    response: z.object({ invoices: z.array(invoice), nextCursor: z.string().nullable() }),
  },
];
