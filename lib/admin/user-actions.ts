import { and, count, eq, isNotNull, isNull, sql } from 'drizzle-orm';
import { type DbOrTx, getDb, schema } from '@/db';
import { thenForgetApiKeys } from '@/lib/auth/api-key-cache';
import { actorFromUser, recordAudit } from '@/lib/audit/audit';
import type { UserScope } from '@/lib/auth/scope';
import { conflict, notFound } from '@/lib/errors';
import { disableUserBody, setPlatformAdminBody } from '@/lib/schemas/admin';
import { type AdminUserView, getUserForAdmin } from './users';

const { users } = schema;

/**
 * Platform-wide account changes by a platform admin: the admin flag, disabling and enabling.
 * Each runs under one advisory lock, so two admins demoting (or disabling) each other at the
 * same moment cannot both pass the "someone must remain" check and leave nobody. Audited as
 * platform events (no org), with the admin as the actor.
 */
const lockAdmins = (tx: DbOrTx) => tx.execute(sql`select pg_advisory_xact_lock(hashtextextended('warren:platform-admins', 0))`);

async function enabledAdmins(tx: DbOrTx): Promise<number> {
  const [r] = await tx.select({ n: count() }).from(users).where(and(eq(users.isPlatformAdmin, true), isNull(users.disabledAt)));
  return Number(r?.n ?? 0);
}

async function lockedUser(tx: DbOrTx, id: string) {
  if (!/^[a-z0-9]{3,64}$/.test(id)) throw notFound('User');
  const [u] = await tx.select().from(users).where(eq(users.id, id)).for('update');
  if (!u) throw notFound('User');
  return u;
}

async function view(id: string): Promise<AdminUserView> {
  const v = await getUserForAdmin(id);
  if (!v) throw notFound('User');
  return v;
}

export async function setPlatformAdmin(admin: UserScope, id: string, input: unknown): Promise<AdminUserView> {
  const { isPlatformAdmin } = setPlatformAdminBody.parse(input);
  const db = await getDb();
  await db.transaction(async (tx) => {
    await lockAdmins(tx);
    const u = await lockedUser(tx, id);
    if (u.isPlatformAdmin === isPlatformAdmin) return;
    if (!isPlatformAdmin) {
      if (u.id === admin.userId) throw conflict('You cannot revoke your own platform admin role; ask another admin');
      if (!u.disabledAt && (await enabledAdmins(tx)) <= 1) throw conflict('This is the last platform admin; make someone else an admin first');
    }
    await tx.update(users).set({ isPlatformAdmin }).where(eq(users.id, u.id));
    await recordAudit(actorFromUser(admin, null), isPlatformAdmin ? 'admin.grant' : 'admin.revoke', { type: 'user', id: u.id }, { email: u.email }, tx);
  });
  return view(id);
}

/**
 * Disables an account: it can no longer sign in, every session it has ends at its next request
 * (the session version is bumped, and a disabled account has no valid version at all), and the
 * API keys it created are refused. Memberships, keys and sandboxes are kept: enabling restores
 * the keys; sessions stay ended (the person signs in again).
 */
export async function disableUser(admin: UserScope, id: string, input: unknown): Promise<AdminUserView> {
  const { reason } = disableUserBody.parse(input);
  const db = await getDb();
  await thenForgetApiKeys(db.transaction(async (tx) => {
    await lockAdmins(tx);
    const u = await lockedUser(tx, id);
    if (u.id === admin.userId) throw conflict('You cannot disable your own account');
    if (u.disabledAt) throw conflict('This account is already disabled');
    if (u.isPlatformAdmin && (await enabledAdmins(tx)) <= 1) throw conflict('This is the last platform admin; it cannot be disabled');
    await tx
      .update(users)
      .set({ disabledAt: new Date(), disabledReason: reason, sessionVersion: sql`${users.sessionVersion} + 1` })
      .where(eq(users.id, u.id));
    await recordAudit(actorFromUser(admin, null), 'user.disable', { type: 'user', id: u.id }, { email: u.email, reason }, tx);
  }));
  return view(id);
}

export async function enableUser(admin: UserScope, id: string): Promise<AdminUserView> {
  const db = await getDb();
  await thenForgetApiKeys(db.transaction(async (tx) => {
    const u = await lockedUser(tx, id);
    const [row] = await tx
      .update(users)
      .set({ disabledAt: null, disabledReason: null })
      .where(and(eq(users.id, u.id), isNotNull(users.disabledAt)))
      .returning({ id: users.id });
    if (!row) throw conflict('This account is not disabled');
    await recordAudit(actorFromUser(admin, null), 'user.enable', { type: 'user', id: u.id }, { email: u.email, wasDisabledFor: u.disabledReason }, tx);
  }));
  return view(id);
}
