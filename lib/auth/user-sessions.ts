import { and, desc, eq, lt, ne, sql } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import { AppError } from '@/lib/errors';

const { users, userSessions } = schema;

/**
 * Signed-in browsers (lib/db/schema userSessions). A session JWT names its row (`sid`); a token
 * whose row is gone is signed out. Rows are deleted, not flagged: nothing needs a revoked one.
 */
export async function createUserSession(userId: string, meta: { userAgent?: string | null; ip?: string | null }): Promise<string> {
  const db = await getDb();
  const [row] = await db
    .insert(userSessions)
    .values({ userId, userAgent: meta.userAgent?.slice(0, 400) ?? null, ip: meta.ip?.slice(0, 64) ?? null })
    .returning({ id: userSessions.id });
  return row!.id;
}

/** How stale last_seen_at may get before a request refreshes it: one write a minute, not one per request. */
const TOUCH_MS = 60_000;

/**
 * Whether a token still signs its user in: the user exists and is not disabled, the token's
 * session version is current (a password reset bumps it) and its session row is still there.
 */
export async function sessionStillValid(userId: string, version: number, sid: string | null): Promise<boolean> {
  if (!sid) return false;
  const db = await getDb();
  const [row] = await db
    .select({ v: users.sessionVersion, disabledAt: users.disabledAt, lastSeenAt: userSessions.lastSeenAt })
    .from(userSessions)
    .innerJoin(users, eq(users.id, userSessions.userId))
    .where(and(eq(userSessions.id, sid), eq(userSessions.userId, userId)));
  if (!row || row.disabledAt || row.v !== version) return false;
  if (Date.now() - row.lastSeenAt.getTime() > TOUCH_MS) {
    await db.update(userSessions).set({ lastSeenAt: new Date() }).where(eq(userSessions.id, sid));
  }
  return true;
}

export type SessionView = { id: string; userAgent: string | null; ip: string | null; createdAt: string; lastSeenAt: string; current: boolean };

export async function listUserSessions(userId: string, currentId: string | null): Promise<SessionView[]> {
  const db = await getDb();
  const rows = await db.select().from(userSessions).where(eq(userSessions.userId, userId)).orderBy(desc(userSessions.lastSeenAt)).limit(100);
  return rows.map((r) => ({
    id: r.id,
    userAgent: r.userAgent,
    ip: r.ip,
    createdAt: r.createdAt.toISOString(),
    lastSeenAt: r.lastSeenAt.toISOString(),
    current: r.id === currentId,
  }));
}

/** Signs one of the user's own sessions out; another user's id is simply not found. */
export async function endUserSession(userId: string, id: string): Promise<void> {
  const db = await getDb();
  const gone = await db.delete(userSessions).where(and(eq(userSessions.userId, userId), eq(userSessions.id, id))).returning({ id: userSessions.id });
  if (!gone.length) throw new AppError('not_found', 'Session not found');
}

/** Every session of the user but `keepId` (null: all of them). Returns how many ended. */
export async function endOtherUserSessions(userId: string, keepId: string | null): Promise<number> {
  const db = await getDb();
  const gone = await db
    .delete(userSessions)
    .where(and(eq(userSessions.userId, userId), keepId ? ne(userSessions.id, keepId) : undefined))
    .returning({ id: userSessions.id });
  // Sessions idle for 30 days are over anyway (Auth.js's maxAge): tidy them while here.
  await db.delete(userSessions).where(lt(userSessions.lastSeenAt, sql`now() - interval '30 days'`));
  return gone.length;
}
