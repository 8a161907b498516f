import { z } from 'zod';
import { PLAN_ID_RE } from './billing';
import { pageQuery } from './common';

/**
 * Request schemas of the Stripe routes. Strict: an unknown field is a 400, checked before
 * anything (a Stripe customer, a session) is created.
 */
const planId = z.string().regex(PLAN_ID_RE, 'Plan ids are 2–40 lowercase letters, digits and hyphens');

/** `{planId}` subscribes to that plan; `{mode: "setup"}` saves a card without changing the plan. */
export const checkoutBody = z
  .strictObject({
    mode: z.enum(['subscription', 'setup']).default('subscription').describe('subscription (default): buy `planId`; setup: save a card only'),
    planId: planId.optional().describe('The plan to subscribe to (one the Billing page offers); subscription mode only'),
  })
  .superRefine((b, ctx) => {
    if (b.mode === 'subscription' && !b.planId) ctx.addIssue({ code: 'custom', path: ['planId'], message: 'Choose a plan (planId) to subscribe to' });
    if (b.mode === 'setup' && b.planId) ctx.addIssue({ code: 'custom', path: ['planId'], message: 'A setup session saves a card only: leave planId out' });
  });
export type CheckoutBody = z.input<typeof checkoutBody>;

/** Where the portal opens: its home (cards, invoices, cancel), the plan switcher, or the card form. */
export const portalBody = z.strictObject({
  flow: z.enum(['change_plan', 'payment_method']).optional().describe('change_plan: the subscription’s plan switcher; payment_method: the card form'),
});
export type PortalBody = z.input<typeof portalBody>;

export const invoicesQuery = pageQuery;

