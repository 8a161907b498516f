import { and, desc, eq, gt, isNull } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import { can, canGrant, type Role } from '@/lib/auth/permissions';
import type { OrgScope, UserScope } from '@/lib/auth/scope';
import { actorFromUser, recordAudit } from '@/lib/audit/audit';
import { AppError, conflict, forbidden, notFound } from '@/lib/errors';
import { email as emailSchema } from '@/lib/schemas/common';
import { hashToken, newInvitationToken } from './token';

const { invitations, orgs, memberships } = schema;
const DAY_MS = 86_400_000;

type InvitationRow = typeof invitations.$inferSelect;
export type InvitationView = { id: string; role: Role; email: string | null; expiresAt: string; createdAt: string };
const toView = (i: InvitationRow): InvitationView => ({
  id: i.id,
  role: i.role,
  email: i.email,
  expiresAt: i.expiresAt.toISOString(),
  createdAt: i.createdAt.toISOString(),
});

/** Returns the raw token once; the link is `${publicUrl}/invite/${token}`. */
export async function createInvitation(
  scope: OrgScope,
  input: { role: Role; email?: string | null; expiresInDays?: number },
): Promise<{ invitation: InvitationView; token: string }> {
  if (!can(scope.role, 'members:invite')) throw forbidden();
  if (!canGrant(scope.role, input.role)) throw forbidden(`Your role (${scope.role}) cannot invite a ${input.role}`);
  const days = input.expiresInDays ?? 7;
  if (!Number.isInteger(days) || days < 1 || days > 30) throw new AppError('bad_request', 'expiresInDays must be 1–30');
  const email = input.email ? emailSchema.parse(input.email) : null;
  const token = newInvitationToken();
  const db = await getDb();
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(invitations)
      .values({
        orgId: scope.orgId,
        role: input.role,
        email,
        tokenHash: hashToken(token),
        invitedBy: scope.actor.type === 'user' ? scope.actor.userId : null,
        expiresAt: new Date(Date.now() + days * DAY_MS),
      })
      .returning();
    await recordAudit(scope, 'invitation.create', { type: 'invitation', id: row!.id }, { role: input.role, email }, tx);
    return { invitation: toView(row!), token };
  });
}

/** Pending = neither accepted, revoked nor expired. */
export async function listInvitations(scope: OrgScope): Promise<InvitationView[]> {
  const db = await getDb();
  const rows = await db
    .select()
    .from(invitations)
    .where(
      and(
        eq(invitations.orgId, scope.orgId),
        isNull(invitations.acceptedAt),
        isNull(invitations.revokedAt),
        gt(invitations.expiresAt, new Date()),
      ),
    )
    .orderBy(desc(invitations.createdAt));
  return rows.map(toView);
}

export async function revokeInvitation(scope: OrgScope, id: string): Promise<void> {
  if (!can(scope.role, 'members:invite')) throw forbidden();
  const db = await getDb();
  await db.transaction(async (tx) => {
    const [row] = await tx
      .update(invitations)
      .set({ revokedAt: new Date() })
      .where(and(eq(invitations.id, id), eq(invitations.orgId, scope.orgId), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)))
      .returning();
    if (!row) {
      const [exists] = await tx.select().from(invitations).where(and(eq(invitations.id, id), eq(invitations.orgId, scope.orgId)));
      if (!exists) throw notFound('Invitation');
      throw conflict(exists.acceptedAt ? 'This invitation has already been used' : 'This invitation is already revoked');
    }
    await recordAudit(scope, 'invitation.revoke', { type: 'invitation', id }, { role: row.role, email: row.email }, tx);
  });
}

export type InvitationPreview = { org: { slug: string; name: string }; role: Role; email: string | null; expiresAt: string };

/** Why a token cannot be used, as the message the invitee sees. */
function unusable(i: InvitationRow, now = new Date()): AppError | null {
  if (i.revokedAt) return conflict('This invitation has been revoked. Ask for a new link.');
  if (i.acceptedAt) return conflict('This invitation has already been used. Ask for a new link.');
  if (i.expiresAt <= now) return conflict('This invitation has expired');
  return null;
}

const invalidLink = () => new AppError('not_found', 'This invitation link is not valid');

/** Public: what the invite page shows before the person signs in or accepts. */
export async function previewInvitation(token: string): Promise<InvitationPreview> {
  const db = await getDb();
  const [row] = await db
    .select({ i: invitations, org: { slug: orgs.slug, name: orgs.name } })
    .from(invitations)
    .innerJoin(orgs, eq(orgs.id, invitations.orgId))
    .where(eq(invitations.tokenHash, hashToken(token)));
  if (!row) throw invalidLink();
  const err = unusable(row.i);
  if (err) throw err;
  return { org: row.org, role: row.i.role, email: row.i.email, expiresAt: row.i.expiresAt.toISOString() };
}

/**
 * Single use: the row is claimed with one conditional UPDATE, so two concurrent accepts cannot
 * both succeed. Someone who is already a member gets their org back and the link stays unused.
 * An invitation addressed to an e-mail only works for that account.
 */
export async function acceptInvitation(
  user: UserScope,
  token: string,
): Promise<{ org: { slug: string; name: string }; role: Role; alreadyMember: boolean }> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({ i: invitations, org: { slug: orgs.slug, name: orgs.name } })
      .from(invitations)
      .innerJoin(orgs, eq(orgs.id, invitations.orgId))
      .where(eq(invitations.tokenHash, hashToken(token)));
    if (!row) throw invalidLink();
    // A member clicking the link again (double submit, second tab) just gets their org back.
    const [existing] = await tx
      .select({ role: memberships.role })
      .from(memberships)
      .where(and(eq(memberships.orgId, row.i.orgId), eq(memberships.userId, user.userId)));
    if (existing) return { org: row.org, role: existing.role, alreadyMember: true };
    const err = unusable(row.i);
    if (err) throw err;
    if (row.i.email && row.i.email !== user.email.toLowerCase()) {
      throw forbidden(`This invitation is for ${row.i.email}. Sign in with that account to accept it.`);
    }

    const now = new Date();
    const [claimed] = await tx
      .update(invitations)
      .set({ acceptedAt: now, acceptedBy: user.userId })
      .where(and(eq(invitations.id, row.i.id), isNull(invitations.acceptedAt), isNull(invitations.revokedAt), gt(invitations.expiresAt, now)))
      .returning();
    if (!claimed) throw conflict('This invitation has already been used. Ask for a new link.');
    await tx.insert(memberships).values({ orgId: row.i.orgId, userId: user.userId, role: row.i.role }).onConflictDoNothing();
    await recordAudit(actorFromUser(user, row.i.orgId), 'invitation.accept', { type: 'invitation', id: row.i.id }, { role: row.i.role }, tx);
    return { org: row.org, role: row.i.role, alreadyMember: false };
  });
}
