import { type AnyColumn, and, asc, desc, eq, ilike, isNotNull, isNull, or, type SQL, sql } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import { orgBalance } from '@/lib/billing/balance';
import { type OrgView, toOrgView } from '@/lib/orgs/orgs';
import type { AdminOrgsQuery } from '@/lib/schemas/admin';
import { afterKeyset, decodeCursor, encodeKeyset, encodeOffset, likePattern, microText, pageSize } from './cursor';
import { currentMonth, monthCost } from './month-cost';

const { orgs, plans, billingHolds } = schema;

export type TenantStatus = 'active' | 'suspended' | 'on_hold';

export type AdminOrgView = OrgView & {
  memberCount: number;
  plan: { id: string; name: string };
  /** Suspended by an admin, on hold (the billing enforcer: no credit, or the spend limit), or active. */
  status: TenantStatus;
  suspendedReason: string | null;
  hold: { reason: string; stopsAt: string; stoppedAt: string | null } | null;
  costMicros: number;
  balanceMicros: number;
  runningSandboxes: number;
};

// Spelled out: drizzle renders columns in sql`` unqualified, and "id" would be the inner table's.
const memberCount = sql<number>`(select count(*) from memberships m where m.org_id = "orgs"."id")`;
const running = sql<number>`(select count(*) from sandboxes s where s.org_id = "orgs"."id" and s.state = 'running' and s.deleted_at is null)`;

function statusWhere(status: TenantStatus | undefined): SQL | undefined {
  if (status === 'suspended') return isNotNull(orgs.suspendedAt);
  if (status === 'on_hold') return and(isNull(orgs.suspendedAt), isNotNull(billingHolds.orgId));
  if (status === 'active') return and(isNull(orgs.suspendedAt), isNull(billingHolds.orgId));
  return undefined;
}

/**
 * The tenants list: every org with its plan, status, this month's cost and its balance; q
 * matches name or URL name. Newest first pages by keyset (stable while orgs are added); other
 * orders page by offset inside the same opaque cursor (cost moves while sandboxes run). The
 * balance is derived per org (lib/billing/balance.ts), so it is computed for the page only and
 * is not a sort key.
 */
export async function listOrgsForAdmin(q: Partial<AdminOrgsQuery> = {}, now = new Date()): Promise<{ orgs: AdminOrgView[]; nextCursor: string | null }> {
  const limit = pageSize(q.limit, 50);
  const sort = q.sort ?? 'created';
  const dir = q.dir ?? (sort === 'name' ? 'asc' : 'desc');
  const keyset = sort === 'created' && dir === 'desc';
  const cursor = q.cursor ? decodeCursor(q.cursor) : null;
  const offset = !keyset && cursor?.kind === 'offset' ? cursor.offset : 0;
  const pattern = likePattern(q.q);
  const db = await getDb();
  const { from, to } = currentMonth(now);
  const m = await monthCost(db, from, to, now);
  const cost = m.cost(orgs.id);
  const by = (e: SQL | AnyColumn) => (dir === 'asc' ? asc(e) : desc(e));
  const order = {
    created: [by(orgs.createdAt), by(orgs.id)],
    name: [by(orgs.name), asc(orgs.id)],
    cost: [by(sql`${cost}`), desc(orgs.createdAt), asc(orgs.id)],
    members: [by(sql`${memberCount}`), desc(orgs.createdAt), asc(orgs.id)],
  }[sort];

  const rows = await db
    .with(m.closed)
    .select({ org: orgs, planName: plans.name, hold: billingHolds, memberCount, running, cost, at: microText(orgs.createdAt) })
    .from(orgs)
    .leftJoin(m.closed, eq(m.closed.orgId, orgs.id))
    .leftJoin(plans, eq(plans.id, orgs.planId))
    .leftJoin(billingHolds, eq(billingHolds.orgId, orgs.id))
    .where(
      and(
        pattern ? or(ilike(orgs.name, pattern), ilike(orgs.slug, pattern)) : undefined,
        statusWhere(q.status),
        keyset && cursor?.kind === 'keyset' ? afterKeyset(orgs.createdAt, orgs.id, cursor) : undefined,
      ),
    )
    .orderBy(...order)
    .limit(limit + 1)
    .offset(offset);
  const page = rows.slice(0, limit);
  // A few at a time: each is a handful of queries (and maybe the month's credit grant), and a page
  // of 100 at once would take every pooled connection from the requests around it.
  const balances: number[] = [];
  for (let i = 0; i < page.length; i += 5) {
    balances.push(...(await Promise.all(page.slice(i, i + 5).map((r) => orgBalance(r.org.id, now).then((b) => b.balanceMicros)))));
  }
  const last = page.at(-1);
  const more = rows.length > limit && last;
  return {
    orgs: page.map((r, i) => ({
      ...toOrgView(r.org),
      memberCount: Number(r.memberCount),
      plan: { id: r.org.planId, name: r.planName ?? r.org.planId },
      status: r.org.suspendedAt ? 'suspended' : r.hold ? 'on_hold' : 'active',
      suspendedReason: r.org.suspendedReason,
      hold: r.hold && !r.org.suspendedAt ? { reason: r.hold.reason, stopsAt: r.hold.stopsAt.toISOString(), stoppedAt: r.hold.stoppedAt?.toISOString() ?? null } : null,
      costMicros: Number(r.cost),
      balanceMicros: balances[i]!,
      runningSandboxes: Number(r.running),
    })),
    nextCursor: more ? (keyset ? encodeKeyset(last.at, last.org.id) : encodeOffset(offset + limit)) : null,
  };
}
