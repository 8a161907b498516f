import { and, desc, eq } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import { actorFromUser, recordAudit, systemActor } from '@/lib/audit/audit';
import type { UserScope } from '@/lib/auth/scope';
import { badRequest } from '@/lib/errors';
import { type GrantCreditBody, grantCreditBody } from '@/lib/schemas/billing';
import { adminOrg } from './admin-org';
import { monthStart, nextMonthStart, periodKey } from './period';

const { creditGrants, orgs, plans } = schema;

/**
 * This month's plan credit, granted at most once per org and month: the partial unique index on
 * (org, month) of monthly grants makes every console (and every retry after a crash) agree, and
 * the audit event is written in the same transaction, so it exists exactly when the grant does.
 * It takes effect at the month's start and expires at the next one, whenever it is written: a
 * grant written late (nobody looked at the org until the 9th) covers the whole month all the same.
 * True when the month's grant exists afterwards (found, written here or by another console);
 * false when the org's plan grants no credit.
 */
export async function ensureMonthlyCredit(orgId: string, now = new Date()): Promise<boolean> {
  const db = await getDb();
  const key = periodKey(now);
  const mine = and(eq(creditGrants.orgId, orgId), eq(creditGrants.kind, 'monthly'), eq(creditGrants.periodKey, key));
  const [exists] = await db.select({ id: creditGrants.id }).from(creditGrants).where(mine).limit(1);
  if (exists) return true;
  return db.transaction(async (tx) => {
    const [org] = await tx
      .select({ planId: plans.id, planName: plans.name, credit: plans.monthlyCreditMicros })
      .from(orgs)
      .innerJoin(plans, eq(plans.id, orgs.planId))
      .where(eq(orgs.id, orgId));
    if (!org || org.credit <= 0) return false;
    const [grant] = await tx
      .insert(creditGrants)
      .values({
        orgId,
        kind: 'monthly',
        amountMicros: org.credit,
        reason: `${org.planName} plan credit for ${key}`,
        grantedBy: 'plan',
        periodKey: key,
        effectiveAt: monthStart(now),
        expiresAt: nextMonthStart(now),
      })
      .onConflictDoNothing()
      .returning();
    if (!grant) return true; // another console granted it first
    await recordAudit(systemActor(orgId, 'billing'), 'billing.credit.grant', { type: 'credit_grant', id: grant.id }, {
      kind: 'monthly',
      amountMicros: grant.amountMicros,
      planId: org.planId,
      period: key,
      expiresAt: grant.expiresAt?.toISOString() ?? null,
    }, tx);
    return true;
  });
}

/** An admin (or promo) grant: effective now, with a reason, optionally expiring. */
export async function grantCredit(admin: UserScope, orgId: string, input: GrantCreditBody, now = new Date()) {
  const body = grantCreditBody.parse(input);
  const org = await adminOrg(orgId);
  const expiresAt = body.expiresAt ? new Date(body.expiresAt) : null;
  if (expiresAt && expiresAt <= now) throw badRequest('expiresAt must be in the future', { field: 'expiresAt' });
  const db = await getDb();
  return db.transaction(async (tx) => {
    const [grant] = await tx
      .insert(creditGrants)
      .values({
        orgId: org.id,
        kind: body.kind,
        amountMicros: body.amountMicros,
        reason: body.reason,
        grantedBy: admin.email,
        grantedById: admin.userId,
        effectiveAt: now,
        expiresAt,
      })
      .returning();
    await recordAudit(actorFromUser(admin, org.id), 'billing.credit.grant', { type: 'credit_grant', id: grant!.id }, {
      kind: body.kind,
      amountMicros: body.amountMicros,
      reason: body.reason,
      expiresAt: expiresAt?.toISOString() ?? null,
    }, tx);
    return grantView(grant!);
  });
}

export const grantView = (g: typeof creditGrants.$inferSelect) => ({
  id: g.id,
  kind: g.kind,
  amountMicros: g.amountMicros,
  reason: g.reason,
  grantedBy: g.grantedBy,
  effectiveAt: g.effectiveAt.toISOString(),
  expiresAt: g.expiresAt?.toISOString() ?? null,
  createdAt: g.createdAt.toISOString(),
});

/** The whole ledger of one org, newest first (platform admins). */
export async function listGrants(orgId: string) {
  const org = await adminOrg(orgId);
  const db = await getDb();
  const rows = await db.select().from(creditGrants).where(eq(creditGrants.orgId, org.id)).orderBy(desc(creditGrants.createdAt)).limit(500);
  return rows.map(grantView);
}
