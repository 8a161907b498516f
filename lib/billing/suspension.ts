import { and, eq, isNotNull, isNull } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import { actorFromUser, recordAudit } from '@/lib/audit/audit';
import type { UserScope } from '@/lib/auth/scope';
import { conflict } from '@/lib/errors';
import { stopOrgSandboxes } from '@/lib/sandboxes/system-stop';
import { suspendBody } from '@/lib/schemas/billing';
import { adminOrg } from './admin-org';
import { forgetOrgGates } from './org-gate-cache';

const { orgs, billingHolds } = schema;

/**
 * Suspends an org: from now on its API answers 403 org_suspended (but for reads of billing,
 * usage, quotas and the org: lib/billing/gate.ts), and its running sandboxes are stopped at once
 * (never deleted; files stay). The enforcer keeps stopping anything that still runs. Audited.
 */
export async function suspendOrg(admin: UserScope, orgId: string, input: unknown) {
  const { reason } = suspendBody.parse(input);
  const org = await adminOrg(orgId);
  const db = await getDb();
  const now = new Date();
  const done = await db.transaction(async (tx) => {
    const [row] = await tx
      .update(orgs)
      .set({ suspendedAt: now, suspendedReason: reason })
      .where(and(eq(orgs.id, org.id), isNull(orgs.suspendedAt)))
      .returning();
    if (!row) return false;
    await tx
      .insert(billingHolds)
      .values({ orgId: org.id, reason: 'suspended', since: now, stopsAt: now })
      .onConflictDoUpdate({ target: billingHolds.orgId, set: { reason: 'suspended', since: now, stopsAt: now, stoppedAt: null, stoppedSandboxes: null } });
    await recordAudit(actorFromUser(admin, org.id), 'org.suspend', { type: 'org', id: org.id }, { reason }, tx);
    return true;
  });
  forgetOrgGates();
  if (!done) throw conflict('This organization is already suspended');
  const { stopped, failed } = await stopOrgSandboxes(org.id, 'suspended', `suspension by ${admin.email}`);
  await db
    .update(billingHolds)
    .set({ stoppedAt: new Date(), stoppedSandboxes: stopped })
    .where(and(eq(billingHolds.orgId, org.id), eq(billingHolds.reason, 'suspended')));
  return { suspendedAt: now.toISOString(), reason, stopped, failed };
}

/** Lifts a suspension: the API answers again. Stopped sandboxes stay stopped until started. */
export async function unsuspendOrg(admin: UserScope, orgId: string) {
  const org = await adminOrg(orgId);
  const db = await getDb();
  const done = await db.transaction(async (tx) => {
    const [row] = await tx
      .update(orgs)
      .set({ suspendedAt: null, suspendedReason: null })
      .where(and(eq(orgs.id, org.id), isNotNull(orgs.suspendedAt)))
      .returning();
    if (!row) return false;
    await tx.delete(billingHolds).where(and(eq(billingHolds.orgId, org.id), eq(billingHolds.reason, 'suspended')));
    await recordAudit(actorFromUser(admin, org.id), 'org.unsuspend', { type: 'org', id: org.id }, { wasSuspendedFor: org.suspendedReason }, tx);
    return true;
  });
  forgetOrgGates();
  if (!done) throw conflict('This organization is not suspended');
  return { suspendedAt: null };
}
