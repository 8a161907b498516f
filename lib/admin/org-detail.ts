import { and, asc, count, eq, isNull, sql } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import { adminOrg } from '@/lib/billing/admin-org';
import { toOrgView } from '@/lib/orgs/orgs';

const { memberships, users, sandboxes, apiKeys, plans, billingHolds } = schema;

/**
 * One tenant for the admin's tenant page: the org, its plan, its status and why, its members
 * (with whether each account is disabled) and what it holds. Billing and quotas come from
 * GET /api/admin/orgs/:id/billing, the sandboxes from GET /api/admin/sandboxes?org=.
 */
export async function orgDetailForAdmin(orgId: string) {
  const org = await adminOrg(orgId);
  const db = await getDb();
  const [plan] = await db.select({ id: plans.id, name: plans.name }).from(plans).where(eq(plans.id, org.planId));
  const [hold] = await db.select().from(billingHolds).where(eq(billingHolds.orgId, org.id));
  const members = await db
    .select({ userId: users.id, email: users.email, name: users.name, role: memberships.role, joinedAt: memberships.createdAt, disabledAt: users.disabledAt, isPlatformAdmin: users.isPlatformAdmin })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.orgId, org.id))
    .orderBy(asc(memberships.createdAt), asc(users.email))
    .limit(500);
  const byState = await db
    .select({ state: sandboxes.state, n: sql<number>`count(*)` })
    .from(sandboxes)
    .where(and(eq(sandboxes.orgId, org.id), isNull(sandboxes.deletedAt)))
    .groupBy(sandboxes.state);
  const [keys] = await db
    .select({ n: count() })
    .from(apiKeys)
    .where(and(eq(apiKeys.orgId, org.id), isNull(apiKeys.revokedAt)));
  return {
    org: {
      ...toOrgView(org),
      plan: { id: org.planId, name: plan?.name ?? org.planId },
      status: org.suspendedAt ? 'suspended' : hold ? 'on_hold' : 'active',
      suspended: org.suspendedAt ? { at: org.suspendedAt.toISOString(), reason: org.suspendedReason } : null,
      hold: hold && !org.suspendedAt ? { reason: hold.reason, since: hold.since.toISOString(), stopsAt: hold.stopsAt.toISOString(), stoppedAt: hold.stoppedAt?.toISOString() ?? null } : null,
      spendLimitMicros: org.spendLimitMicros,
      hasPaymentMethod: org.hasPaymentMethod,
    },
    members: members.map((m) => ({ ...m, joinedAt: m.joinedAt.toISOString(), disabledAt: m.disabledAt?.toISOString() ?? null })),
    sandboxes: Object.fromEntries(byState.map((r) => [r.state, Number(r.n)])),
    apiKeys: Number(keys?.n ?? 0),
  };
}
