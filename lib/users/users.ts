import { eq, sql } from 'drizzle-orm';
import { type DbOrTx, getDb, schema } from '@/db';
import { actorFromUser, recordAudit } from '@/lib/audit/audit';
import { email as emailSchema, displayName, password as passwordSchema } from '@/lib/schemas/common';
import { AppError, conflict } from '@/lib/errors';
import { createOrgRow } from '@/lib/orgs/create';
import { slugify } from '@/lib/orgs/slug-rules';
import { hashPassword } from './password';

const { users, memberships } = schema;

export type UserRow = typeof users.$inferSelect;
export type PublicUser = { id: string; email: string; name: string | null; isPlatformAdmin: boolean };

export const normalizeEmail = (e: string) => e.trim().toLowerCase();

export function toPublicUser(u: UserRow): PublicUser {
  return { id: u.id, email: u.email, name: u.name, isPlatformAdmin: u.isPlatformAdmin };
}

export async function findUserByEmail(email: string, dbx?: DbOrTx): Promise<UserRow | undefined> {
  const db = dbx ?? (await getDb());
  const [u] = await db.select().from(users).where(eq(users.email, normalizeEmail(email)));
  return u;
}

export async function findUserById(id: string): Promise<UserRow | undefined> {
  const db = await getDb();
  const [u] = await db.select().from(users).where(eq(users.id, id));
  return u;
}

type NewUser = { email: string; password?: string | null; name?: string | null; isPlatformAdmin?: boolean };

/** Inserts the user row only. Validates like the sign-up form, so the CLI gets the same rules. */
export async function insertUser(input: NewUser, dbx: DbOrTx): Promise<UserRow> {
  const email = emailSchema.parse(input.email);
  const name = input.name ? displayName().parse(input.name) : null;
  const passwordHash = input.password ? await hashPassword(passwordSchema.parse(input.password)) : null;
  const [u] = await dbx
    .insert(users)
    .values({ email, name, passwordHash, isPlatformAdmin: input.isPlatformAdmin ?? false })
    .onConflictDoNothing({ target: users.email })
    .returning();
  if (!u) throw conflict('An account with this e-mail already exists');
  return u;
}

/**
 * Sign-up: the user, their personal org (they own it) and the audit events, in one transaction,
 * so there is never a user without an org to land in.
 */
export async function createUserWithPersonalOrg(
  input: NewUser,
): Promise<{ user: PublicUser; org: { id: string; slug: string; name: string } }> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const user = await insertUser(input, tx);
    const org = await createPersonalOrg(user, tx);
    await recordAudit(actorFromUser({ userId: user.id, email: user.email }, org.id), 'user.sign_up', {
      type: 'user',
      id: user.id,
    }, null, tx);
    return { user: toPublicUser(user), org };
  });
}

async function createPersonalOrg(user: UserRow, tx: DbOrTx) {
  const base = user.name ?? user.email.split('@')[0]!;
  const name = user.name ? `${user.name}'s workspace` : `${base}'s workspace`;
  const org = await createOrgRow(tx, { name: safeName(name), slugBase: slugify(base), personal: true });
  await tx.insert(memberships).values({ orgId: org.id, userId: user.id, role: 'owner' });
  await recordAudit(actorFromUser({ userId: user.id, email: user.email }, org.id), 'org.create', {
    type: 'org',
    id: org.id,
  }, { slug: org.slug, name: org.name, personal: true }, tx);
  return org;
}

// E-mail local parts may hold characters display names refuse ("a+b", "x/y"); keep it storable.
function safeName(name: string): string {
  const cleaned = name.replace(/[^\p{L}\p{N}\p{M} .,'’&()_+!@#-]/gu, ' ').trim().slice(0, 100);
  return /^[\p{L}\p{N}\p{M}]/u.test(cleaned) ? cleaned : `Workspace ${cleaned}`.trim();
}

/**
 * For users created outside sign-up (OAuth through the Auth.js adapter): gives them a personal
 * org if they belong to none. Safe to call on every sign-in.
 */
export async function ensurePersonalOrg(userId: string): Promise<{ slug: string } | null> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const [u] = await tx.select().from(users).where(eq(users.id, userId)).for('update');
    if (!u) throw new AppError('not_found', 'User not found');
    const [m] = await tx.select({ orgId: memberships.orgId }).from(memberships).where(eq(memberships.userId, userId)).limit(1);
    if (m) return null;
    const org = await createPersonalOrg(u, tx);
    return { slug: org.slug };
  });
}

/**
 * A new password ends every session of the user (lib/auth/session-version.ts) and voids any
 * reset link still in a mailbox.
 */
export async function setPassword(userId: string, password: string, dbx?: DbOrTx): Promise<void> {
  const passwordHash = await hashPassword(passwordSchema.parse(password));
  await storePasswordHash(userId, passwordHash, dbx);
}

export async function storePasswordHash(userId: string, passwordHash: string, dbx?: DbOrTx): Promise<void> {
  const db = dbx ?? (await getDb());
  await db
    .update(users)
    .set({ passwordHash, sessionVersion: sql`${users.sessionVersion} + 1` })
    .where(eq(users.id, userId));
  await db.delete(schema.passwordResetTokens).where(eq(schema.passwordResetTokens.userId, userId));
  // The version bump already ends them; deleting the rows keeps the sessions list true.
  await db.delete(schema.userSessions).where(eq(schema.userSessions.userId, userId));
}
