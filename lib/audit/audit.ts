import { and, desc, eq, gte, ilike, like, lt, or, type SQL, sql } from 'drizzle-orm';
import { type DbOrTx, getDb, schema } from '@/db';
import type { OrgScope, UserScope } from '@/lib/auth/scope';
import { badRequest } from '@/lib/errors';

const { auditEvents } = schema;

/** Who did it, in which org (null: platform-wide, e.g. an org that no longer exists). */
export type AuditActor = {
  orgId: string | null;
  actorType: 'user' | 'api_key' | 'system';
  actorId: string | null;
  actorLabel: string;
};

export function actorFromScope(scope: OrgScope): AuditActor {
  const a = scope.actor;
  return a.type === 'user'
    ? { orgId: scope.orgId, actorType: 'user', actorId: a.userId, actorLabel: a.label }
    : { orgId: scope.orgId, actorType: 'api_key', actorId: a.apiKeyId, actorLabel: a.label };
}

export function actorFromUser(user: Pick<UserScope, 'userId' | 'email'>, orgId: string | null): AuditActor {
  return { orgId, actorType: 'user', actorId: user.userId, actorLabel: user.email };
}

export function systemActor(orgId: string | null, label = 'system'): AuditActor {
  return { orgId, actorType: 'system', actorId: null, actorLabel: label };
}

export type AuditTarget = { type: string; id: string };

/**
 * Appends one event. Pass the transaction of the change it records, so the event exists if and
 * only if the change does. clock_timestamp() rather than now(): several events written in one
 * transaction must still sort in the order they happened.
 */
export async function recordAudit(
  by: OrgScope | AuditActor,
  action: string,
  target?: AuditTarget | null,
  data?: Record<string, unknown> | null,
  dbx?: DbOrTx,
): Promise<void> {
  const actor = 'actorType' in by ? by : actorFromScope(by);
  const db = dbx ?? (await getDb());
  await db.insert(auditEvents).values({
    ...actor,
    action,
    targetType: target?.type ?? null,
    targetId: target?.id ?? null,
    data: data ?? null,
    createdAt: sql`clock_timestamp()`,
  });
}

export type AuditEventView = {
  id: string;
  action: string;
  actor: { type: 'user' | 'api_key' | 'system'; id: string | null; label: string };
  target: AuditTarget | null;
  data: Record<string, unknown> | null;
  createdAt: string;
};

// Microsecond ISO text: a JS Date would drop the microseconds and the cursor would skip or repeat rows.
const createdAtText = sql<string>`to_char(${auditEvents.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * What the audit log can be narrowed to. `actor`: part of the actor's label (an e-mail or a key's
 * name), any case. `action`: an exact action, or a family as `sandbox.*`. `target`: a target id.
 * `from`/`to`: a time range, from inclusive, to exclusive.
 */
export type AuditFilter = { actor?: string; action?: string; target?: string; from?: Date; to?: Date };

/** LIKE's own wildcards in user text match themselves. */
const likeLiteral = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

function filterSql(f: AuditFilter): SQL | undefined {
  const family = f.action?.endsWith('.*') ? f.action.slice(0, -1) : null;
  return and(
    f.actor ? ilike(auditEvents.actorLabel, `%${likeLiteral(f.actor)}%`) : undefined,
    f.action ? (family ? like(auditEvents.action, `${likeLiteral(family)}%`) : eq(auditEvents.action, f.action)) : undefined,
    f.target ? eq(auditEvents.targetId, f.target) : undefined,
    f.from ? gte(auditEvents.createdAt, f.from) : undefined,
    f.to ? lt(auditEvents.createdAt, f.to) : undefined,
  );
}

/** Newest first, keyset pagination on (created_at, id); the cursor is opaque to callers. */
export async function listAudit(
  scope: Pick<OrgScope, 'orgId'>,
  opts: { cursor?: string; limit?: number; filter?: AuditFilter; maxLimit?: number } = {},
): Promise<{ events: AuditEventView[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(opts.limit ?? 50, 1), opts.maxLimit ?? 100);
  const after = opts.cursor ? decodeCursor(opts.cursor) : null;
  const db = await getDb();
  const rows = await db
    .select({
      id: auditEvents.id,
      action: auditEvents.action,
      actorType: auditEvents.actorType,
      actorId: auditEvents.actorId,
      actorLabel: auditEvents.actorLabel,
      targetType: auditEvents.targetType,
      targetId: auditEvents.targetId,
      data: auditEvents.data,
      at: createdAtText,
    })
    .from(auditEvents)
    .where(
      and(
        eq(auditEvents.orgId, scope.orgId),
        filterSql(opts.filter ?? {}),
        after
          ? or(
              lt(auditEvents.createdAt, sql`${after.at}::timestamptz`),
              and(eq(auditEvents.createdAt, sql`${after.at}::timestamptz`), lt(auditEvents.id, after.id)),
            )
          : undefined,
      ),
    )
    .orderBy(desc(auditEvents.createdAt), desc(auditEvents.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    events: page.map((r) => ({
      id: r.id,
      action: r.action,
      actor: { type: r.actorType, id: r.actorId, label: r.actorLabel },
      target: r.targetType && r.targetId ? { type: r.targetType, id: r.targetId } : null,
      data: r.data ?? null,
      createdAt: r.at,
    })),
    nextCursor: rows.length > limit && last ? encodeCursor(last.at, last.id) : null,
  };
}

function encodeCursor(at: string, id: string): string {
  return Buffer.from(`${at}|${id}`).toString('base64url');
}

function decodeCursor(cursor: string): { at: string; id: string } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  if (!at || !id || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/.test(at) || !/^[a-z0-9]{1,40}$/.test(id)) throw badRequest('Invalid cursor');
  return { at, id };
}
