import { and, asc, count, eq } from 'drizzle-orm';
import { type DbOrTx, getDb, schema } from '@/db';
import { thenForgetApiKeys } from '@/lib/auth/api-key-cache';
import { can, canGrant, type Role } from '@/lib/auth/permissions';
import type { OrgScope } from '@/lib/auth/scope';
import { recordAudit } from '@/lib/audit/audit';
import { conflict, forbidden, notFound } from '@/lib/errors';

const { memberships, users, orgs } = schema;

export type MemberView = { userId: string; email: string; name: string | null; role: Role; joinedAt: string };

export async function listMembers(scope: OrgScope): Promise<MemberView[]> {
  const db = await getDb();
  const rows = await db
    .select({ userId: users.id, email: users.email, name: users.name, role: memberships.role, joinedAt: memberships.createdAt })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.orgId, scope.orgId))
    .orderBy(asc(memberships.createdAt), asc(users.email));
  return rows.map((r) => ({ ...r, joinedAt: r.joinedAt.toISOString() }));
}

/**
 * Member changes lock the org row first: two concurrent "demote the other owner" requests
 * must not both see two owners and leave none.
 */
async function lockedMember(tx: DbOrTx, scope: OrgScope, userId: string) {
  await tx.select({ id: orgs.id }).from(orgs).where(eq(orgs.id, scope.orgId)).for('update');
  const [m] = await tx
    .select({ role: memberships.role, email: users.email })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.orgId, scope.orgId), eq(memberships.userId, userId)));
  if (!m) throw notFound('Member');
  return m;
}

async function ownerCount(tx: DbOrTx, orgId: string): Promise<number> {
  const [r] = await tx
    .select({ n: count() })
    .from(memberships)
    .where(and(eq(memberships.orgId, orgId), eq(memberships.role, 'owner')));
  return r?.n ?? 0;
}

const isSelf = (scope: OrgScope, userId: string) => scope.actor.type === 'user' && scope.actor.userId === userId;

/**
 * Only owners grant or take away "owner"; otherwise a caller may change members whose current
 * and new roles are both ones they could grant. The last owner stays an owner.
 */
export async function changeMemberRole(scope: OrgScope, userId: string, role: Role): Promise<MemberView> {
  if (!can(scope.role, 'members:update')) throw forbidden();
  const db = await getDb();
  return thenForgetApiKeys(db.transaction(async (tx) => {
    const m = await lockedMember(tx, scope, userId);
    if (!canGrant(scope.role, role) || !canGrant(scope.role, m.role)) {
      throw forbidden(`Your role (${scope.role}) cannot change a ${m.role} to ${role}`);
    }
    if (m.role === 'owner' && role !== 'owner' && (await ownerCount(tx, scope.orgId)) <= 1) {
      throw conflict('This is the last owner of the organization. Make someone else an owner first.');
    }
    const [row] = await tx
      .update(memberships)
      .set({ role })
      .where(and(eq(memberships.orgId, scope.orgId), eq(memberships.userId, userId)))
      .returning();
    if (m.role !== role) {
      await recordAudit(scope, 'member.role_change', { type: 'user', id: userId }, { email: m.email, from: m.role, to: role }, tx);
    }
    const [u] = await tx.select({ name: users.name }).from(users).where(eq(users.id, userId));
    return { userId, email: m.email, name: u?.name ?? null, role: row!.role, joinedAt: row!.createdAt.toISOString() };
  }));
}

/**
 * Removes a member. Removing yourself is leaving: allowed for every role, except for the last
 * owner. Removing someone else needs members:remove and a rank at least theirs.
 */
export async function removeMember(scope: OrgScope, userId: string): Promise<{ left: boolean }> {
  const self = isSelf(scope, userId);
  if (!self && !can(scope.role, 'members:remove')) throw forbidden(`Your role (${scope.role}) cannot remove members`);
  const db = await getDb();
  return thenForgetApiKeys(db.transaction(async (tx) => {
    const m = await lockedMember(tx, scope, userId);
    if (!self && !canGrant(scope.role, m.role)) throw forbidden(`Your role (${scope.role}) cannot remove a ${m.role}`);
    if (m.role === 'owner' && (await ownerCount(tx, scope.orgId)) <= 1) {
      throw conflict(
        self
          ? 'You are the last owner. Make someone else an owner, or delete the organization, before leaving.'
          : 'This is the last owner of the organization and cannot be removed.',
      );
    }
    await tx.delete(memberships).where(and(eq(memberships.orgId, scope.orgId), eq(memberships.userId, userId)));
    await recordAudit(scope, self ? 'member.leave' : 'member.remove', { type: 'user', id: userId }, { email: m.email, role: m.role }, tx);
    return { left: self };
  }));
}

/** Shortcut for the console's "Leave organization" button. */
export function leaveOrg(scope: OrgScope): Promise<{ left: boolean }> {
  if (scope.actor.type !== 'user') throw forbidden('An API key is not a member and cannot leave');
  return removeMember(scope, scope.actor.userId);
}
