import { and, desc, eq, ilike, isNotNull, isNull, or, sql } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import type { AdminUsersQuery } from '@/lib/schemas/admin';
import { afterKeyset, decodeCursor, encodeKeyset, likePattern, microText, pageSize } from './cursor';

const { users } = schema;

export type AdminUserView = {
  id: string;
  email: string;
  name: string | null;
  isPlatformAdmin: boolean;
  disabledAt: string | null;
  disabledReason: string | null;
  createdAt: string;
  orgCount: number;
  /** Keys this person created that still work: what disabling the account stops. */
  activeApiKeys: number;
};

// Correlated subqueries spelled out: drizzle renders a column in sql`` unqualified, and an
// unqualified "id" inside them would be the inner table's own.
const orgCount = sql<number>`(select count(*) from memberships m where m.user_id = "users"."id")`;
const activeKeys = sql<number>`(select count(*) from api_keys k where k.created_by = "users"."id" and k.revoked_at is null and (k.expires_at is null or k.expires_at > now()))`;

export const toAdminUserView = (u: typeof users.$inferSelect, counts: { orgCount: number; activeApiKeys: number }): AdminUserView => ({
  id: u.id,
  email: u.email,
  name: u.name,
  isPlatformAdmin: u.isPlatformAdmin,
  disabledAt: u.disabledAt?.toISOString() ?? null,
  disabledReason: u.disabledReason,
  createdAt: u.createdAt.toISOString(),
  orgCount: Number(counts.orgCount),
  activeApiKeys: Number(counts.activeApiKeys),
});

/** Every account, newest first; q matches the e-mail or the name; `filter` narrows to admins or disabled accounts. */
export async function listUsersForAdmin(q: AdminUsersQuery): Promise<{ users: AdminUserView[]; nextCursor: string | null }> {
  const limit = pageSize(q.limit, 25);
  const cursor = q.cursor ? decodeCursor(q.cursor) : null;
  const pattern = likePattern(q.q);
  const db = await getDb();
  const rows = await db
    .select({ u: users, orgCount, activeKeys, at: microText(users.createdAt) })
    .from(users)
    .where(
      and(
        pattern ? or(ilike(users.email, pattern), ilike(users.name, pattern)) : undefined,
        q.filter === 'admins' ? eq(users.isPlatformAdmin, true) : undefined,
        q.filter === 'disabled' ? isNotNull(users.disabledAt) : undefined,
        q.filter === 'active' ? isNull(users.disabledAt) : undefined,
        cursor?.kind === 'keyset' ? afterKeyset(users.createdAt, users.id, cursor) : undefined,
      ),
    )
    .orderBy(desc(users.createdAt), desc(users.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    users: page.map((r) => toAdminUserView(r.u, { orgCount: r.orgCount, activeApiKeys: r.activeKeys })),
    nextCursor: rows.length > limit && last ? encodeKeyset(last.at, last.u.id) : null,
  };
}

export async function getUserForAdmin(id: string): Promise<AdminUserView | null> {
  const db = await getDb();
  const [r] = await db.select({ u: users, orgCount, activeKeys }).from(users).where(eq(users.id, id));
  return r ? toAdminUserView(r.u, { orgCount: r.orgCount, activeApiKeys: r.activeKeys }) : null;
}
