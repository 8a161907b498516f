import { and, asc, desc, eq, gte, ilike, isNull, lt, or, sql } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import type { AdminUsageQuery } from '@/lib/schemas/admin';
import { currentMonth, monthCost } from './month-cost';

export { currentMonth } from './month-cost';

const { orgs, sandboxes, usageHourly } = schema;
const HOUR_MS = 3_600_000;

export type AdminOrgUsage = {
  id: string;
  slug: string;
  name: string;
  personal: boolean;
  costMicros: number;
  vcpuHours: number;
  runningSandboxes: number;
};

export type AdminUsage = {
  from: string;
  to: string;
  totals: { costMicros: number; vcpuHours: number; runningSandboxes: number };
  orgs: AdminOrgUsage[];
  nextOffset: number | null;
};

const vcpuHours = (vcpuMilliMs: number) => Math.round((vcpuMilliMs / 1000 / HOUR_MS) * 1e6) / 1e6;

/**
 * Every org's cost and vCPU-hours this month, most expensive first, with its running sandboxes.
 * Closed hours are one grouped scan of the hourly rollups; the open periods' time so far is
 * priced by the same code the org's own usage page uses (lib/usage/live) and handed to the
 * query as one jsonb parameter, so sorting and paging stay in SQL and the numbers agree.
 */
export async function adminUsage(q: AdminUsageQuery, now = new Date()): Promise<AdminUsage> {
  const { from, to } = currentMonth(now);
  const db = await getDb();

  const { live, closed, cost: costOf, vcpu: vcpuOf } = await monthCost(db, from, to, now);
  const running = db.$with('running').as(
    db
      .select({ orgId: sandboxes.orgId, n: sql<string>`count(*)`.as('n') })
      .from(sandboxes)
      .where(and(eq(sandboxes.state, 'running'), isNull(sandboxes.deletedAt)))
      .groupBy(sandboxes.orgId),
  );
  const cost = costOf(orgs.id);
  const vcpu = vcpuOf(orgs.id);
  const runningN = sql<string>`coalesce(${running.n}, 0)`;
  const pattern = q.q?.trim() ? `%${q.q.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;

  const rows = await db
    .with(closed, running)
    .select({ id: orgs.id, slug: orgs.slug, name: orgs.name, personal: orgs.personal, cost, vcpu, running: runningN })
    .from(orgs)
    .leftJoin(closed, eq(closed.orgId, orgs.id))
    .leftJoin(running, eq(running.orgId, orgs.id))
    .where(pattern ? or(ilike(orgs.name, pattern), ilike(orgs.slug, pattern)) : undefined)
    .orderBy(desc(cost), desc(runningN), desc(orgs.createdAt), asc(orgs.id))
    .limit(q.limit + 1)
    .offset(q.offset);

  return {
    from: from.toISOString(),
    to: to.toISOString(),
    totals: await platformTotals(from, to, live),
    orgs: rows.slice(0, q.limit).map((r) => ({
      id: r.id,
      slug: r.slug,
      name: r.name,
      personal: r.personal,
      costMicros: Number(r.cost),
      vcpuHours: vcpuHours(Number(r.vcpu)),
      runningSandboxes: Number(r.running),
    })),
    nextOffset: rows.length > q.limit ? q.offset + q.limit : null,
  };
}

/** The whole platform's month (not narrowed by the search): what the cards above the table show. */
async function platformTotals(from: Date, to: Date, live: Record<string, [number, number]>) {
  const db = await getDb();
  const [closed] = await db
    .select({
      cost: sql<string>`coalesce(sum(${usageHourly.costMicros}), 0)`,
      vcpu: sql<string>`coalesce(sum(${usageHourly.vcpuMilliMs}), 0)`,
    })
    .from(usageHourly)
    .where(and(gte(usageHourly.hour, from), lt(usageHourly.hour, to)));
  const [run] = await db
    .select({ n: sql<string>`count(*)` })
    .from(sandboxes)
    .where(and(eq(sandboxes.state, 'running'), isNull(sandboxes.deletedAt)));
  const liveSum = Object.values(live).reduce((s, [c, v]) => [s[0] + c, s[1] + v], [0, 0]);
  return {
    costMicros: Number(closed?.cost ?? 0) + liveSum[0]!,
    vcpuHours: vcpuHours(Number(closed?.vcpu ?? 0) + liveSum[1]!),
    runningSandboxes: Number(run?.n ?? 0),
  };
}
