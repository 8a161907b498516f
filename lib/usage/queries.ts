import { and, eq, gte, inArray, lt, sql } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import type { UsageKind } from '@/db/schema/usage';
import type { OrgScope } from '@/lib/auth/scope';
import { burnRateMicrosPerHour, livePieces } from './live';
import { type Bucketed, bucketKey, summarize, type UsageSummary } from './summary';

const { usageHourly, sandboxes } = schema;

export type Granularity = 'hour' | 'day' | 'month';
export type UsageQuery = { from: Date; to: Date; granularity: Granularity; groupBy: string };

/** The SQL of a group key: by kind, sandbox (subject), template, isolation level, or one metadata key. */
function groupExpr(groupBy: string) {
  if (groupBy === 'kind') return sql<string>`${usageHourly.kind}`;
  // Snapshots' storage has no level of its own: it is grouped as such, as by template.
  if (groupBy === 'isolation') return sql<string>`coalesce(${usageHourly.isolation}, 'snapshots')`;
  if (groupBy === 'sandbox') return sql<string>`${usageHourly.subject}`;
  if (groupBy === 'template') return sql<string>`coalesce(${sandboxes.template}, 'snapshots')`;
  const key = groupBy.slice('metadata.'.length);
  return sql<string>`coalesce(${sandboxes.metadata} ->> ${key}, '(none)')`;
}

/**
 * An org's usage between two instants, in buckets (hour/day/month, UTC) and groups: closed
 * hours from the hourly rollups, the open periods' time so far computed live.
 */
export async function orgUsage(scope: OrgScope, q: UsageQuery, opts: { subject?: string; now?: Date } = {}): Promise<UsageSummary> {
  const now = opts.now ?? new Date();
  const db = await getDb();
  const g = groupExpr(q.groupBy);
  const bucket = sql<string>`date_trunc(${q.granularity}, ${usageHourly.hour}, 'UTC')`;
  const closed = await db
    .select({
      bucket,
      group: g,
      kind: usageHourly.kind,
      durationMs: sql<string>`sum(${usageHourly.durationMs})`,
      vcpuMilliMs: sql<string>`sum(${usageHourly.vcpuMilliMs})`,
      memMibMs: sql<string>`sum(${usageHourly.memMibMs})`,
      diskByteMs: sql<string>`sum(${usageHourly.diskByteMs})`,
      cpuMs: sql<string>`sum(${usageHourly.cpuMs})`,
      costMicros: sql<string>`sum(${usageHourly.costMicros})`,
    })
    .from(usageHourly)
    .leftJoin(sandboxes, eq(sandboxes.id, usageHourly.sandboxId))
    .where(
      and(
        eq(usageHourly.orgId, scope.orgId),
        gte(usageHourly.hour, q.from),
        lt(usageHourly.hour, q.to),
        opts.subject ? eq(usageHourly.subject, opts.subject) : undefined,
      ),
    )
    // By position: the same expressions with bound parameters would not count as equal.
    .groupBy(sql`1`, sql`2`, sql`3`);

  const rows: Bucketed[] = closed.map((r) => ({
    bucket: new Date(r.bucket).toISOString(),
    group: r.group,
    kind: r.kind as UsageKind,
    durationMs: Number(r.durationMs),
    vcpuMilliMs: Number(r.vcpuMilliMs),
    memMibMs: Number(r.memMibMs),
    diskByteMs: Number(r.diskByteMs),
    cpuMs: Number(r.cpuMs),
    costMicros: Number(r.costMicros),
  }));

  const live = await livePieces(db, { orgId: scope.orgId, subjects: opts.subject ? [opts.subject] : undefined }, q.from, q.to, now);
  const info = await sandboxInfo(live.flatMap((p) => (p.sandboxId ? [p.sandboxId] : [])));
  for (const p of live) {
    const sb = p.sandboxId ? info.get(p.sandboxId) : undefined;
    const group =
      q.groupBy === 'kind' ? p.kind
      : q.groupBy === 'sandbox' ? p.subject
      : q.groupBy === 'template' ? (sb?.template ?? 'snapshots')
      : q.groupBy === 'isolation' ? (p.isolation ?? 'snapshots')
      : metadataValue(sb?.metadata, q.groupBy.slice('metadata.'.length));
    rows.push({ ...p, bucket: bucketKey(p.hour, q.granularity), group });
  }
  const summary = summarize(q, rows);
  summary.burnRateMicrosPerHour = await burnRateMicrosPerHour(db, scope.orgId, opts.subject);
  if (q.groupBy === 'sandbox') {
    const ids = summary.groups.map((x) => x.group).filter((s) => !s.startsWith('snap_'));
    const details = await sandboxInfo(ids);
    for (const x of summary.groups) {
      const d = details.get(x.group);
      if (d) x.sandbox = { id: d.id, state: d.state, template: d.template, metadata: d.metadata, deleted: d.deletedAt !== null };
    }
  }
  return summary;
}

/** Own keys only: `metadata.constructor` must not find Object.prototype's. */
const metadataValue = (m: Record<string, string> | undefined, key: string) => (m && Object.hasOwn(m, key) ? m[key]! : '(none)');

async function sandboxInfo(ids: string[]) {
  const unique = [...new Set(ids)];
  const db = await getDb();
  const rows = unique.length
    ? await db
        .select({ id: sandboxes.id, template: sandboxes.template, metadata: sandboxes.metadata, state: sandboxes.state, deletedAt: sandboxes.deletedAt })
        .from(sandboxes)
        .where(inArray(sandboxes.id, unique))
    : [];
  return new Map(rows.map((r) => [r.id, r]));
}

/** Cost so far (micro-dollars) of each of these subjects, closed and live. */
export async function costOfSubjects(orgId: string, subjects: string[], now = new Date()): Promise<Map<string, number>> {
  const out = new Map(subjects.map((s) => [s, 0]));
  if (!subjects.length) return out;
  const db = await getDb();
  const closed = await db
    .select({ subject: usageHourly.subject, cost: sql<string>`sum(${usageHourly.costMicros})` })
    .from(usageHourly)
    .where(and(eq(usageHourly.orgId, orgId), inArray(usageHourly.subject, subjects)))
    .groupBy(usageHourly.subject);
  for (const r of closed) out.set(r.subject, (out.get(r.subject) ?? 0) + Number(r.cost));
  for (const p of await livePieces(db, { orgId, subjects }, new Date(0), now, now)) out.set(p.subject, (out.get(p.subject) ?? 0) + p.costMicros);
  return out;
}
