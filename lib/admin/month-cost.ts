import { and, gte, lt, sql } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import { type Db, schema } from '@/db';
import { livePieces } from '@/lib/usage/live';

const { usageHourly } = schema;

/** The current calendar month in UTC: the period usage is billed in. */
export function currentMonth(now = new Date()): { from: Date; to: Date } {
  return {
    from: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)),
    to: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)),
  };
}

/**
 * Every org's cost and vCPU time in [from, to), for SQL that sorts and pages orgs by it: closed
 * hours are one grouped scan of the hourly rollups (a CTE to join), and the open periods' time
 * so far is priced by the code the org's own usage page uses (lib/usage/live) and handed to the
 * query as one jsonb parameter, so the numbers agree with what each org sees.
 */
export async function monthCost(db: Db, from: Date, to: Date, now = new Date()) {
  const live: Record<string, [number, number]> = {};
  for (const p of await livePieces(db, {}, from, to, now)) {
    const [c, v] = live[p.orgId] ?? [0, 0];
    live[p.orgId] = [c + p.costMicros, v + p.vcpuMilliMs];
  }
  const liveJson = JSON.stringify(live);
  const closed = db.$with('closed').as(
    db
      .select({
        orgId: usageHourly.orgId,
        cost: sql<string>`sum(${usageHourly.costMicros})`.as('cost'),
        vcpu: sql<string>`sum(${usageHourly.vcpuMilliMs})`.as('vcpu'),
      })
      .from(usageHourly)
      .where(and(gte(usageHourly.hour, from), lt(usageHourly.hour, to)))
      .groupBy(usageHourly.orgId),
  );
  // The array index is inlined: as a bound parameter it arrives as text and reads as an object key.
  const liveOf = (orgId: PgColumn, i: 0 | 1) => sql`coalesce((${liveJson}::jsonb -> ${orgId} ->> ${sql.raw(String(i))})::numeric, 0)`;
  return {
    live,
    closed,
    /** The org's cost (micro-dollars) in the month; `orgId` is the column the rows are keyed by. */
    cost: (orgId: PgColumn) => sql<string>`coalesce(${closed.cost}, 0) + ${liveOf(orgId, 0)}`,
    vcpu: (orgId: PgColumn) => sql<string>`coalesce(${closed.vcpu}, 0) + ${liveOf(orgId, 1)}`,
  };
}
