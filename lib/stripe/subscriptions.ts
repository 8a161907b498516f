import { and, eq, inArray } from 'drizzle-orm';
import { getDb, schema, type Tx } from '@/db';
import { recordAudit, systemActor } from '@/lib/audit/audit';
import { setPaymentMethod } from '@/lib/billing/org-admin';
import { lockMeter } from '@/lib/usage/ingest';
import { cutOpenPeriods, recomputeRollups, Touched } from '@/lib/usage/periods';
import type { Stripe } from './client';
import { requireStripe } from './config';
import { forgetOrgGates } from '@/lib/billing/org-gate-cache';

const { orgs, plans, stripeSubscriptions } = schema;

/** Statuses in which the subscription pays: Stripe is collecting (past_due: still retrying). */
export const LIVE_STATUSES = ['active', 'trialing', 'past_due'];
const stripe = systemActor(null, 'stripe');

export type SubState = {
  id: string;
  customerId: string;
  status: string;
  priceIds: string[];
  cancelAtPeriodEnd: boolean;
  currentPeriodEnd: Date | null;
  startedAt: Date;
  endedAt: Date | null;
};

const at = (s: number | null | undefined) => (typeof s === 'number' ? new Date(s * 1000) : null);

/** The part of Stripe's subscription object Warren keeps. */
export function subState(sub: Stripe.Subscription): SubState {
  const items = sub.items?.data ?? [];
  const ends = items.map((i) => i.current_period_end).filter((n): n is number => typeof n === 'number');
  return {
    id: sub.id,
    customerId: typeof sub.customer === 'string' ? sub.customer : sub.customer.id,
    status: sub.status,
    priceIds: items.map((i) => i.price.id),
    cancelAtPeriodEnd: sub.cancel_at_period_end,
    currentPeriodEnd: ends.length ? at(Math.max(...ends)) : null,
    startedAt: at(sub.start_date ?? sub.created)!,
    endedAt: at(sub.ended_at),
  };
}

export type ApplyResult = 'applied' | 'stale' | 'tie';

/**
 * Records a subscription's state and brings the org in line with it, in one transaction.
 *
 * Ordering: `version` is the Stripe time (seconds) of the state. A state from a webhook
 * (`from: 'event'`) older than the one held is stale and changes nothing; one of the same
 * second cannot be ordered by time, so the caller reads the subscription from Stripe and applies
 * that (`from: 'fetch'`, versioned with the time the read began). A fresh read is always at
 * least as new as anything held, so it is always applied. A replay is simply stale or a tie.
 */
export async function applySubscription(orgId: string, s: SubState, version: number, from: 'event' | 'fetch'): Promise<ApplyResult> {
  const { usagePriceId } = requireStripe();
  const db = await getDb();
  return db.transaction(async (tx) => {
    // A plan change reprices the org's open periods, under the meter's lock (lib/usage/reprice.ts).
    await lockMeter(tx);
    const [held] = await tx.select().from(stripeSubscriptions).where(eq(stripeSubscriptions.id, s.id)).for('update');
    if (held && from === 'event' && version < held.version) return 'stale';
    if (held && from === 'event' && version === held.version) return 'tie';
    const planRows = s.priceIds.length
      ? await tx.select({ id: plans.id, price: plans.stripePriceId }).from(plans).where(inArray(plans.stripePriceId, s.priceIds))
      : [];
    const planId = s.priceIds.map((p) => planRows.find((r) => r.price === p)?.id).find(Boolean) ?? null;
    const row = {
      orgId,
      customerId: s.customerId,
      status: s.status,
      planId,
      priceIds: s.priceIds,
      metered: s.priceIds.includes(usagePriceId),
      cancelAtPeriodEnd: s.cancelAtPeriodEnd,
      currentPeriodEnd: s.currentPeriodEnd,
      startedAt: s.startedAt,
      endedAt: s.endedAt,
      version: Math.max(version, held?.version ?? 0),
      updatedAt: new Date(),
    };
    await tx.insert(stripeSubscriptions).values({ id: s.id, ...row }).onConflictDoUpdate({ target: stripeSubscriptions.id, set: row });
    if (!held || held.status !== s.status || held.planId !== planId) {
      await recordAudit({ ...stripe, orgId }, 'billing.subscription.update', { type: 'stripe_subscription', id: s.id }, {
        status: { from: held?.status ?? null, to: s.status },
        planId: { from: held?.planId ?? null, to: planId },
      }, tx);
    }
    const was = held ? { live: LIVE_STATUSES.includes(held.status), planId: held.planId } : null;
    await reconcileOrg(tx, orgId, was, { live: LIVE_STATUSES.includes(s.status), planId });
    return 'applied';
  });
}

/**
 * The org's payment flag and plan after a subscription changed. A payment method while any live
 * subscription carries the usage price (usage past credit is then invoiced). The plan moves only
 * when this subscription's plan does: it becomes live with a plan, or switches plan while live (the
 * org takes that plan); it ends (the org goes back to Free if it is still on the plan this one sold
 * and no other live subscription sells one). Re-reading the same state changes nothing, so a plan a
 * platform admin set since stays until the subscription itself changes.
 */
async function reconcileOrg(tx: Tx, orgId: string, was: { live: boolean; planId: string | null } | null, now: { live: boolean; planId: string | null }): Promise<void> {
  const subs = await tx.select().from(stripeSubscriptions).where(eq(stripeSubscriptions.orgId, orgId));
  const live = subs.filter((s) => LIVE_STATUSES.includes(s.status));
  await setPaymentMethod(orgId, live.some((s) => s.metered), stripe, tx);
  const [org] = await tx.select({ planId: orgs.planId }).from(orgs).where(eq(orgs.id, orgId)).for('update');
  if (!org) return;
  let target: string | null = null;
  if (now.live && now.planId && (!was?.live || was.planId !== now.planId)) target = now.planId;
  else if (was?.live && !now.live && was.planId === org.planId) {
    const other = live.filter((s) => s.planId).sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime())[0];
    target = other?.planId ?? 'free';
  }
  if (target && target !== org.planId) await changePlan(tx, orgId, org.planId, target);
}

/** As setOrgPlan does (lib/billing/org-admin.ts), inside the caller's transaction, which holds the meter's lock. */
async function changePlan(tx: Tx, orgId: string, from: string, to: string): Promise<void> {
  const touched = new Touched();
  await cutOpenPeriods(tx, [orgId], new Date(), touched);
  await recomputeRollups(tx, touched);
  await tx.update(orgs).set({ planId: to }).where(eq(orgs.id, orgId));
  forgetOrgGates();
  await recordAudit({ ...stripe, orgId }, 'billing.plan.change', { type: 'org', id: orgId }, { from, to, by: 'stripe' }, tx);
}

/** The org's subscriptions as the billing view shows them (newest first). */
export async function orgSubscriptions(orgId: string) {
  const db = await getDb();
  const rows = await db.select().from(stripeSubscriptions).where(eq(stripeSubscriptions.orgId, orgId));
  return rows
    .sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime())
    .map((s) => ({
      id: s.id,
      status: s.status,
      planId: s.planId,
      live: LIVE_STATUSES.includes(s.status),
      cancelAtPeriodEnd: s.cancelAtPeriodEnd,
      currentPeriodEnd: s.currentPeriodEnd?.toISOString() ?? null,
    }));
}

/** A live subscription of the org, if any (Checkout refuses a second one: change plans in the portal). */
export async function liveSubscription(orgId: string) {
  const db = await getDb();
  const [row] = await db
    .select()
    .from(stripeSubscriptions)
    .where(and(eq(stripeSubscriptions.orgId, orgId), inArray(stripeSubscriptions.status, LIVE_STATUSES)))
    .limit(1);
  return row ?? null;
}
