import { and, eq, inArray, isNull, lt, sql } from 'drizzle-orm';
import { schema, type Tx } from '@/db';
import type { UsageKind } from '@/db/schema/usage';
import { ratesIn } from './org-rates';
import { periodCost } from './rates';

const { usagePeriods } = schema;
const HOUR = 3_600_000;
export const hourOf = (t: Date) => new Date(Math.floor(t.getTime() / HOUR) * HOUR);

type Period = typeof usagePeriods.$inferSelect;
export type NewPeriod = Omit<typeof usagePeriods.$inferInsert, 'id' | 'endedAt' | 'costMicros'>;

/** Hours whose rollup must be recomputed after this transaction's changes. */
export class Touched {
  private keys = new Map<string, { orgId: string; subject: string; kind: UsageKind; hour: Date }>();
  add(p: Pick<Period, 'orgId' | 'subject' | 'kind'>, hour: Date) {
    this.keys.set(`${p.subject}|${p.kind}|${hour.getTime()}`, { orgId: p.orgId, subject: p.subject, kind: p.kind, hour });
  }
  all() {
    return [...this.keys.values()];
  }
}

/** Priced with the rates of the org's plan at the moment the period closes (the meter's lock is
 * held, and a plan change cuts the org's open periods first: see cutOpenPeriods). */
const costOf = async (tx: Tx, p: Pick<Period, 'orgId' | 'kind' | 'vcpuMilli' | 'memoryMb' | 'diskBytes' | 'cpuMs'>, from: Date, to: Date) =>
  periodCost({ kind: p.kind, durationMs: to.getTime() - from.getTime(), vcpuMilli: p.vcpuMilli, memoryMb: p.memoryMb, diskBytes: p.diskBytes, cpuMs: p.cpuMs }, await ratesIn(tx, p.orgId));

/**
 * Closes an open period at `at`, cut at every hour boundary on the way: the open row ends at the
 * end of its hour (or at `at`), and each later hour up to `at` gets a closed row of its own.
 */
async function closeAt(tx: Tx, p: Period, at: Date, touched: Touched): Promise<void> {
  const end = at < p.startedAt ? p.startedAt : at;
  let from = p.startedAt;
  let first = true;
  while (true) {
    const hourEnd = new Date(hourOf(from).getTime() + HOUR);
    const to = end < hourEnd ? end : hourEnd;
    const cost = await costOf(tx, p, from, to);
    if (first) {
      await tx.update(usagePeriods).set({ endedAt: to, costMicros: cost }).where(eq(usagePeriods.id, p.id));
      first = false;
    } else {
      const { id: _id, ...rest } = p;
      await tx.insert(usagePeriods).values({ ...rest, startedAt: from, endedAt: to, costMicros: cost });
    }
    touched.add(p, hourOf(from));
    if (to >= end) return;
    from = to;
  }
}

/** Closes the subject's open periods of these kinds at `at` (a no-op for those already closed). */
export async function closeOpen(tx: Tx, subject: string, kinds: UsageKind[], at: Date, touched: Touched): Promise<Period[]> {
  const open = await tx
    .select()
    .from(usagePeriods)
    .where(and(eq(usagePeriods.subject, subject), inArray(usagePeriods.kind, kinds), isNull(usagePeriods.endedAt)))
    .for('update');
  for (const p of open) await closeAt(tx, p, at, touched);
  return open;
}

/** Opens a period; if one is already open for the subject and kind (a repeated event), keeps it. */
export async function openPeriod(tx: Tx, p: NewPeriod): Promise<void> {
  await tx.insert(usagePeriods).values(p).onConflictDoNothing();
}

/** A closed period in one go (active CPU between two readings), attributed to the hour it ends in. */
export async function addClosed(tx: Tx, p: NewPeriod & { endedAt: Date }, touched: Touched): Promise<void> {
  const hour = hourOf(p.endedAt);
  const startedAt = new Date(Math.max(p.startedAt.getTime(), hour.getTime()));
  const row = { ...p, startedAt, costMicros: await costOf(tx, { orgId: p.orgId, kind: p.kind, vcpuMilli: 0, memoryMb: 0, diskBytes: 0, cpuMs: p.cpuMs ?? 0 }, startedAt, p.endedAt) };
  await tx.insert(usagePeriods).values(row);
  touched.add({ orgId: p.orgId, subject: p.subject, kind: p.kind }, hour);
}

/** Open periods that began before this hour are cut at its start and continue as new ones. */
export async function rollOver(tx: Tx, now: Date, touched: Touched): Promise<number> {
  const hour = hourOf(now);
  const stale = await tx
    .select()
    .from(usagePeriods)
    .where(and(isNull(usagePeriods.endedAt), lt(usagePeriods.startedAt, hour)))
    .for('update');
  for (const p of stale) {
    await closeAt(tx, p, hour, touched);
    const { id: _id, endedAt: _e, costMicros: _c, ...rest } = p;
    await openPeriod(tx, { ...rest, startedAt: hour });
  }
  return stale.length;
}

/**
 * Closes the open periods of these orgs at `at` and opens them again from there: what ran
 * before a plan (or a plan's rates) changed is priced with the old rates, what runs after with
 * the new ones. The caller holds the meter's lock and changes the plan in the same transaction.
 */
export async function cutOpenPeriods(tx: Tx, orgIds: string[], at: Date, touched: Touched): Promise<number> {
  if (orgIds.length === 0) return 0;
  const open = await tx
    .select()
    .from(usagePeriods)
    .where(and(isNull(usagePeriods.endedAt), inArray(usagePeriods.orgId, orgIds)))
    .for('update');
  for (const p of open) {
    await closeAt(tx, p, at, touched);
    const { id: _id, endedAt: _e, costMicros: _c, ...rest } = p;
    await openPeriod(tx, { ...rest, startedAt: at < p.startedAt ? p.startedAt : at });
  }
  return open.length;
}

/** Recomputes each touched hour's rollup from its closed periods (idempotent by construction). */
export async function recomputeRollups(tx: Tx, touched: Touched): Promise<void> {
  for (const k of touched.all()) {
    const next = new Date(k.hour.getTime() + HOUR);
    await tx.execute(sql`
      insert into usage_hourly (org_id, hour, subject, sandbox_id, snapshot_id, isolation, kind, duration_ms, vcpu_milli_ms, mem_mib_ms, disk_byte_ms, cpu_ms, cost_micros)
      select ${k.orgId}, ${k.hour.toISOString()}::timestamptz, ${k.subject}, max(sandbox_id), max(snapshot_id), max(isolation), ${k.kind},
        coalesce(sum(d), 0)::bigint, coalesce(sum(vcpu_milli::numeric * d), 0), coalesce(sum(memory_mb::numeric * d), 0),
        coalesce(sum(disk_bytes::numeric * d), 0), coalesce(sum(cpu_ms), 0)::bigint, coalesce(sum(cost_micros), 0)::bigint
      from (
        select *, round(extract(epoch from (ended_at - started_at)) * 1000) as d from usage_periods
        where subject = ${k.subject} and kind = ${k.kind} and ended_at is not null
          and started_at >= ${k.hour.toISOString()}::timestamptz and started_at < ${next.toISOString()}::timestamptz
      ) p
      on conflict (org_id, hour, kind, subject) do update set
        isolation = excluded.isolation, duration_ms = excluded.duration_ms, vcpu_milli_ms = excluded.vcpu_milli_ms, mem_mib_ms = excluded.mem_mib_ms,
        disk_byte_ms = excluded.disk_byte_ms, cpu_ms = excluded.cpu_ms, cost_micros = excluded.cost_micros`);
  }
}
