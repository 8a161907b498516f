import { eq } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import { AppError, notFound } from '@/lib/errors';
import { type OrgBalance, orgBalance } from './balance';
import { usd } from './money';

export type BlockReason = 'suspended' | 'spend_limit' | 'balance_exhausted';

export type Standing = {
  orgId: string;
  planId: string;
  suspended: { at: string; reason: string | null } | null;
  hasPaymentMethod: boolean;
  balance: OrgBalance;
  spendLimitMicros: number | null;
  spendAlertMicros: number | null;
  /** This month's metered cost has reached the spend limit. */
  limitReached: boolean;
  alertCrossed: boolean;
  /** Why the org may not start anything now (and the enforcer will stop what runs), or null. */
  blocked: BlockReason | null;
};

/**
 * Whether the org can pay for what it runs. Suspended beats everything; then the spend limit (the
 * org's own cap applies with or without a payment method); then the balance: with no credit left
 * an org needs a payment method (set by the payment integration). In local mode nobody sets one,
 * so only the balance counts.
 */
export async function orgStanding(orgId: string, now = new Date()): Promise<Standing> {
  const db = await getDb();
  const [[org], balance] = await Promise.all([db.select().from(schema.orgs).where(eq(schema.orgs.id, orgId)), orgBalance(orgId, now)]);
  if (!org) throw notFound('Organization');
  return standingOf(org, balance);
}

export type OrgRow = typeof schema.orgs.$inferSelect;

/** The standing of an org from its row and its balance (both read by the caller). */
export function standingOf(org: OrgRow, balance: OrgBalance): Standing {
  const spent = balance.period.spentMicros;
  const limitReached = org.spendLimitMicros !== null && spent >= org.spendLimitMicros;
  const alertCrossed = org.spendAlertMicros !== null && spent >= org.spendAlertMicros;
  const exhausted = balance.balanceMicros <= 0 && !org.hasPaymentMethod;
  return {
    orgId: org.id,
    planId: org.planId,
    suspended: org.suspendedAt ? { at: org.suspendedAt.toISOString(), reason: org.suspendedReason } : null,
    hasPaymentMethod: org.hasPaymentMethod,
    balance,
    spendLimitMicros: org.spendLimitMicros,
    spendAlertMicros: org.spendAlertMicros,
    limitReached,
    alertCrossed,
    blocked: org.suspendedAt ? 'suspended' : limitReached ? 'spend_limit' : exhausted ? 'balance_exhausted' : null,
  };
}

/** The error a blocked org's create, start, resume, fork or snapshot answers with. */
export function blockedError(s: Standing): AppError | null {
  if (s.blocked === 'suspended') return suspendedError(s.suspended!);
  if (s.blocked === 'spend_limit') {
    return new AppError(
      'spend_limit_reached',
      `Your org has spent ${usd(s.balance.period.spentMicros)} this month, its spend limit of ${usd(s.spendLimitMicros!)}; an owner or billing member can raise it on the Billing page`,
      { limitMicros: s.spendLimitMicros, spentMicros: s.balance.period.spentMicros },
    );
  }
  if (s.blocked === 'balance_exhausted') {
    return new AppError(
      'payment_required',
      `Your org has no credit left (balance ${usd(s.balance.balanceMicros)}) and no payment method; add a payment method or ask your platform admin for credit`,
      { balanceMicros: s.balance.balanceMicros, uncoveredMicros: s.balance.uncoveredMicros, hasPaymentMethod: s.hasPaymentMethod },
    );
  }
  return null;
}

export const suspendedError = (s: { at: string; reason: string | null }) =>
  new AppError('org_suspended', `This organization is suspended${s.reason ? `: ${s.reason}` : ''}. Contact your platform admin.`, {
    suspendedAt: s.at,
    reason: s.reason,
  });

/** Refuses (402/403) anything that would start spending while the org cannot pay. */
export async function assertCanSpend(orgId: string): Promise<void> {
  const err = blockedError(await orgStanding(orgId));
  if (err) throw err;
}
