import { and, eq, ne } from 'drizzle-orm';
import { type DbOrTx, getDb, schema } from '@/db';
import { type AuditActor, actorFromUser, recordAudit } from '@/lib/audit/audit';
import type { UserScope } from '@/lib/auth/scope';
import { conflict } from '@/lib/errors';
import { effectiveLimits, setOrgLimits } from '@/lib/sandboxes/limits';
import { assignPlanBody, orgLimitsBody } from '@/lib/schemas/billing';
import { repricingChange } from '@/lib/usage/reprice';
import { adminOrg } from './admin-org';
import { getPlanRow } from './plans';
import { forgetOrgGates } from './org-gate-cache';

const { orgs } = schema;

/**
 * Moves an org to another plan: its limits change at once, and its usage is priced with the new
 * rates from now on (the org's open periods are cut now, in the same transaction, under the
 * meter's lock). This month's plan credit was already granted; the new plan's credit starts
 * next month (a top-up for the rest of this one is an admin grant). Audited in the org's log.
 */
export async function setOrgPlan(admin: UserScope, orgId: string, input: unknown) {
  const { planId } = assignPlanBody.parse(input);
  const org = await adminOrg(orgId);
  const plan = await getPlanRow(planId);
  if (plan.orgId && plan.orgId !== org.id) throw conflict(`The plan ${plan.id} was made for another organization`);
  await repricingChange(
    async () => [org.id],
    async (tx) => {
      await tx.update(orgs).set({ planId: plan.id }).where(eq(orgs.id, org.id));
      await recordAudit(actorFromUser(admin, org.id), 'billing.plan.change', { type: 'org', id: org.id }, { from: org.planId, to: plan.id }, tx);
    },
  );
  forgetOrgGates();
  return effectiveLimits(org.id);
}

/** Per-org overrides of the plan's limits (null: back to the plan's). Audited in the org's log. */
export async function setOrgOverrides(admin: UserScope, orgId: string, input: unknown) {
  const patch = orgLimitsBody.parse(input);
  const org = await adminOrg(orgId);
  const overrides = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
  const db = await getDb();
  await db.transaction(async (tx) => {
    await setOrgLimits(org.id, overrides, tx);
    await recordAudit(actorFromUser(admin, org.id), 'billing.limits.override', { type: 'org', id: org.id }, overrides, tx);
  });
  return effectiveLimits(org.id);
}

/**
 * The payment integration's seam: whether the org has a way to pay beyond its credit (a card on
 * file). The Stripe part calls this from its webhook handlers, in the transaction that records
 * the subscription (`dbx`); nothing in local mode does. Audited when the flag really changes, so
 * a replayed webhook leaves no second entry.
 */
export async function setPaymentMethod(orgId: string, has: boolean, by: AuditActor, dbx?: DbOrTx): Promise<boolean> {
  const write = async (tx: DbOrTx) => {
    const [row] = await tx
      .update(orgs)
      .set({ hasPaymentMethod: has })
      .where(and(eq(orgs.id, orgId), ne(orgs.hasPaymentMethod, has)))
      .returning({ id: orgs.id });
    if (row) await recordAudit({ ...by, orgId }, has ? 'billing.payment_method.add' : 'billing.payment_method.remove', { type: 'org', id: orgId }, null, tx);
    return !!row;
  };
  if (dbx) return write(dbx);
  const db = await getDb();
  return db.transaction(write);
}
