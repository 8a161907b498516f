import { eq } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import { recordAudit, systemActor } from '@/lib/audit/audit';
import { AppError } from '@/lib/errors';
import { createUserWithPersonalOrg, findUserByEmail, setPassword, type PublicUser, toPublicUser } from '@/lib/users/users';

const { users } = schema;

/**
 * Creates a platform admin, or promotes an existing account and resets its password
 * (the operator runs this when locked out, so "already exists" is not an error).
 */
export async function createPlatformAdmin(
  email: string,
  password: string,
  by = 'warren CLI',
): Promise<{ user: PublicUser; created: boolean }> {
  const existing = await findUserByEmail(email);
  if (!existing) {
    const { user } = await createUserWithPersonalOrg({ email, password, isPlatformAdmin: true });
    await recordAudit(systemActor(null, by), 'admin.create', { type: 'user', id: user.id }, { email: user.email });
    return { user, created: true };
  }
  const db = await getDb();
  const user = await db.transaction(async (tx) => {
    await setPassword(existing.id, password, tx);
    const [row] = await tx.update(users).set({ isPlatformAdmin: true }).where(eq(users.id, existing.id)).returning();
    await recordAudit(systemActor(null, by), 'admin.promote', { type: 'user', id: existing.id }, { email: existing.email }, tx);
    return row!;
  });
  return { user: toPublicUser(user), created: false };
}

export async function resetPassword(email: string, password: string): Promise<PublicUser> {
  const user = await findUserByEmail(email);
  if (!user) throw new AppError('not_found', `No account with the e-mail ${email.trim().toLowerCase()}`);
  await setPassword(user.id, password);
  await recordAudit(systemActor(null, 'warren CLI'), 'user.password_reset', { type: 'user', id: user.id }, { email: user.email });
  return toPublicUser(user);
}

export async function listPlatformAdmins(): Promise<PublicUser[]> {
  const db = await getDb();
  const rows = await db.select().from(users).where(eq(users.isPlatformAdmin, true)).orderBy(users.createdAt);
  return rows.map(toPublicUser);
}
