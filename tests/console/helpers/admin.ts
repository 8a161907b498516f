import { and, desc, eq } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import type { UserScope } from '@/lib/auth/scope';
import { call, req } from './fixtures';
import { signInAs } from './session';

type Route = Parameters<typeof call>[0];
export type Caller = UserScope | { key: string } | null;

/** Calls an /api/admin route handler as a signed-in person, an API key or nobody. */
export async function adminCall(who: Caller, route: Route, method: string, path: string, params: Record<string, string> = {}, body?: unknown) {
  const key = who && 'key' in who ? who.key : undefined;
  signInAs(who && !('key' in who) ? who : null);
  try {
    return await call(route, req(method, path, { body, key }), params);
  } finally {
    signInAs(null);
  }
}

/** The newest audit events of an action on a target (platform-wide ones have no org). */
export async function auditOf(action: string, targetId: string) {
  const db = await getDb();
  return db
    .select()
    .from(schema.auditEvents)
    .where(and(eq(schema.auditEvents.action, action), eq(schema.auditEvents.targetId, targetId)))
    .orderBy(desc(schema.auditEvents.createdAt));
}

/** Every audit entry about one target, oldest first: what an auditor reading its trail sees. */
export async function auditTrailOf(targetType: string, targetId: string) {
  const db = await getDb();
  return db
    .select({ action: schema.auditEvents.action, data: schema.auditEvents.data })
    .from(schema.auditEvents)
    .where(and(eq(schema.auditEvents.targetType, targetType), eq(schema.auditEvents.targetId, targetId)))
    .orderBy(schema.auditEvents.createdAt);
}
