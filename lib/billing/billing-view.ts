import { eq } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import type { OrgScope } from '@/lib/auth/scope';
import { recordAudit } from '@/lib/audit/audit';
import { ZodError } from 'zod';
import { notFound } from '@/lib/errors';
import { type UpdateBillingBody, updateBillingBody } from '@/lib/schemas/billing';
import { failedInvoice } from '@/lib/stripe/invoices';
import { paymentView } from '@/lib/stripe/payment-view';
import { monthProjection } from './balance';
import { planView } from './plans';
import { monthNotices } from './spend-notices';
import { orgStanding, type Standing } from './standing';

const { orgs, plans, billingHolds } = schema;

/** What the console's banners say, from the standing and the hold (shown to every member). */
export async function billingStatus(orgId: string, s?: Standing) {
  const standing = s ?? (await orgStanding(orgId));
  const db = await getDb();
  const [hold] = await db.select().from(billingHolds).where(eq(billingHolds.orgId, orgId));
  return {
    blocked: standing.blocked,
    suspended: standing.suspended,
    limitReached: standing.limitReached,
    alertCrossed: standing.alertCrossed,
    spentMicros: standing.balance.period.spentMicros,
    spendLimitMicros: standing.spendLimitMicros,
    spendAlertMicros: standing.spendAlertMicros,
    balanceMicros: standing.balance.balanceMicros,
    /** An open invoice whose last payment attempt failed (Stripe), for the banner. */
    paymentFailed: await failedInvoice(orgId),
    hold: hold
      ? {
          reason: hold.reason,
          since: hold.since.toISOString(),
          stopsAt: hold.stopsAt.toISOString(),
          stoppedAt: hold.stoppedAt?.toISOString() ?? null,
          stoppedSandboxes: hold.stoppedSandboxes ?? [],
        }
      : null,
  };
}
export type BillingStatus = Awaited<ReturnType<typeof billingStatus>>;

/** GET /api/v1/billing: plan, balance and credits, this period, spend limit and alert, payment, suspension. */
export async function getBilling(scope: Pick<OrgScope, 'orgId'>) {
  const db = await getDb();
  const [row] = await db.select({ org: orgs, plan: plans }).from(orgs).leftJoin(plans, eq(plans.id, orgs.planId)).where(eq(orgs.id, scope.orgId));
  if (!row) throw notFound('Organization');
  const standing = await orgStanding(scope.orgId);
  const b = standing.balance;
  return {
    plan: row.plan ? planView(row.plan) : null,
    balanceMicros: b.balanceMicros,
    uncoveredMicros: b.uncoveredMicros,
    credits: b.credits,
    period: { ...b.period, ...(await monthProjection(scope.orgId, b.period.spentMicros)) },
    spend: { limitMicros: standing.spendLimitMicros, alertMicros: standing.spendAlertMicros, notices: await monthNotices(scope.orgId) },
    payment: { hasPaymentMethod: standing.hasPaymentMethod, ...(await paymentView(scope.orgId)) },
    status: await billingStatus(scope.orgId, standing),
  };
}

/**
 * PATCH /api/v1/billing: the monthly spend limit and alert (null clears one). The alert must be
 * below the limit (else it would never tell anything before the stop). Audited with before/after.
 */
export async function updateBilling(scope: OrgScope, input: UpdateBillingBody) {
  const body = updateBillingBody.parse(input);
  const db = await getDb();
  await db.transaction(async (tx) => {
    const [before] = await tx.select().from(orgs).where(eq(orgs.id, scope.orgId)).for('update');
    if (!before) throw notFound('Organization');
    const limit = body.spendLimitMicros !== undefined ? body.spendLimitMicros : before.spendLimitMicros;
    const alert = body.spendAlertMicros !== undefined ? body.spendAlertMicros : before.spendAlertMicros;
    if (limit !== null && alert !== null && alert >= limit) {
      // As a validation issue on the field, so the console's form shows it beside the input.
      throw new ZodError([{ code: 'custom', path: ['spendAlertMicros'], message: 'The spend alert must be below the spend limit', input: alert }]);
    }
    await tx.update(orgs).set({ spendLimitMicros: limit, spendAlertMicros: alert }).where(eq(orgs.id, scope.orgId));
    await recordAudit(scope, 'billing.spend.update', { type: 'org', id: scope.orgId }, {
      spendLimitMicros: { from: before.spendLimitMicros, to: limit },
      spendAlertMicros: { from: before.spendAlertMicros, to: alert },
    }, tx);
  });
  return getBilling(scope);
}
