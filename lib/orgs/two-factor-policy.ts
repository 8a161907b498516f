import { eq } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import { hasTwoFactor } from '@/lib/account/two-factor';
import { recordAudit } from '@/lib/audit/audit';
import type { OrgScope } from '@/lib/auth/scope';
import { AppError } from '@/lib/errors';

/**
 * "Require two-factor": members without it are sent to set it up before they use the org
 * (console pages, lib/auth/two-factor-gate.ts) and its API through a session is refused. API
 * keys are not people and are not affected. The owner turning it on must have it already, so
 * the switch never locks its own author out.
 */
export async function setRequireTwoFactor(scope: OrgScope, requireTwoFactor: boolean): Promise<{ requireTwoFactor: boolean }> {
  if (requireTwoFactor && scope.actor.type === 'user' && !(await hasTwoFactor(scope.actor.userId))) {
    throw new AppError('conflict', 'Turn on two-factor sign-in for your own account first (Account settings), then require it of members');
  }
  const db = await getDb();
  await db.transaction(async (tx) => {
    await tx.update(schema.orgs).set({ requireTwoFactor }).where(eq(schema.orgs.id, scope.orgId));
    await recordAudit(scope, 'org.two_factor_policy', { type: 'org', id: scope.orgId }, { requireTwoFactor }, tx);
  });
  return { requireTwoFactor };
}

export async function orgRequiresTwoFactor(orgId: string): Promise<boolean> {
  const db = await getDb();
  const [o] = await db.select({ r: schema.orgs.requireTwoFactor }).from(schema.orgs).where(eq(schema.orgs.id, orgId));
  return !!o?.r;
}

/** The org requires two-factor and this member has not turned it on. */
export async function memberNeedsTwoFactor(orgId: string, userId: string): Promise<boolean> {
  return (await orgRequiresTwoFactor(orgId)) && !(await hasTwoFactor(userId));
}
