import { and, count, desc, eq, ilike, lt, or, sql } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import { badRequest } from '@/lib/errors';
import { type OrgView, toOrgView } from '@/lib/orgs/orgs';

const { orgs, memberships } = schema;

export type AdminOrgView = OrgView & { memberCount: number };

// Keyset cursors carry the timestamp at full (microsecond) precision: a JS Date would round it
// to milliseconds and pages would skip rows.
const createdAtText = sql<string>`to_char(${orgs.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
const memberCount = sql<number>`(select ${count()} from ${memberships} where ${memberships.orgId} = ${orgs.id})`;

/** Every org on the platform, newest first, with member counts; q matches name or slug. */
export async function listOrgsForAdmin(
  opts: { cursor?: string; limit?: number; q?: string } = {},
): Promise<{ orgs: AdminOrgView[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(opts.limit ?? 50, 1), 100);
  const after = opts.cursor ? decode(opts.cursor) : null;
  const q = opts.q?.trim();
  const pattern = q ? `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
  const db = await getDb();
  const rows = await db
    .select({ org: orgs, memberCount, at: createdAtText })
    .from(orgs)
    .where(
      and(
        pattern ? or(ilike(orgs.name, pattern), ilike(orgs.slug, pattern)) : undefined,
        after
          ? or(
              lt(orgs.createdAt, sql`${after.at}::timestamptz`),
              and(eq(orgs.createdAt, sql`${after.at}::timestamptz`), lt(orgs.id, after.id)),
            )
          : undefined,
      ),
    )
    .orderBy(desc(orgs.createdAt), desc(orgs.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    orgs: page.map((r) => ({ ...toOrgView(r.org), memberCount: Number(r.memberCount) })),
    nextCursor: rows.length > limit && last ? Buffer.from(`${last.at}|${last.org.id}`).toString('base64url') : null,
  };
}

function decode(cursor: string): { at: string; id: string } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  if (!at || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/.test(at) || !id || !/^[a-z0-9]{1,40}$/.test(id)) {
    throw badRequest('Invalid cursor');
  }
  return { at, id };
}
