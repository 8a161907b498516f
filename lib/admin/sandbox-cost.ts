import { inArray, sql } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import { livePieces } from '@/lib/usage/live';

const { usageHourly } = schema;

/**
 * Cost so far (micro-dollars) of sandboxes of any orgs: closed hours from the rollups plus the
 * open periods priced now, the same arithmetic as an org's own list (lib/usage/queries.ts
 * costOfSubjects), without the org filter the admin's cross-org list cannot have.
 */
export async function costOfSandboxes(ids: string[], now = new Date()): Promise<Map<string, number>> {
  const out = new Map(ids.map((id) => [id, 0]));
  if (ids.length === 0) return out;
  const db = await getDb();
  const closed = await db
    .select({ subject: usageHourly.subject, cost: sql<string>`sum(${usageHourly.costMicros})` })
    .from(usageHourly)
    .where(inArray(usageHourly.subject, ids))
    .groupBy(usageHourly.subject);
  for (const r of closed) out.set(r.subject, (out.get(r.subject) ?? 0) + Number(r.cost));
  for (const p of await livePieces(db, { subjects: ids }, new Date(0), now, now)) out.set(p.subject, (out.get(p.subject) ?? 0) + p.costMicros);
  return out;
}
