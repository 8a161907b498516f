import { inArray } from 'drizzle-orm';
import { schema, type Tx } from '@/db';
import type { JournalEvent } from '@/lib/runner-client';
import type { IsolationLevel } from '@/db/schema/sandboxes';
import { addClosed, closeOpen, openPeriod, type Touched } from './periods';

const { sandboxes, snapshots, usageMeterState } = schema;
export const snapshotSubject = (id: string) => `snap_${id}`;

/** What one journal event needs to know: the org of its subject, and the meter's own state. */
type Context = {
  orgOf: Map<string, string>;
  /** Each sandbox's isolation level, recorded on its periods (usage per level). */
  isolationOf: Map<string, IsolationLevel>;
  state: Map<string, typeof usageMeterState.$inferSelect>;
};

/**
 * Looks up the orgs of a page of events' subjects (sandboxes and snapshots) in two queries. Only
 * subjects that live on `runnerId` count: another runner's journal (a copied data dir on a second
 * host) never bills them.
 */
export async function loadContext(tx: Tx, events: JournalEvent[], runnerId: string): Promise<Context> {
  const sandboxIds = [...new Set(events.filter((e) => e.type !== 'snapshot').map((e) => e.sandboxId))];
  const snapshotIds = [...new Set(events.flatMap((e) => (e.type === 'snapshot' ? [e.snapshotId] : [])))];
  const orgOf = new Map<string, string>();
  const isolationOf = new Map<string, IsolationLevel>();
  if (sandboxIds.length) {
    const rows = await tx
      .select({ id: sandboxes.id, orgId: sandboxes.orgId, runnerId: sandboxes.runnerId, isolation: sandboxes.isolation })
      .from(sandboxes)
      .where(inArray(sandboxes.id, sandboxIds));
    for (const r of rows) {
      if (r.runnerId !== runnerId) continue;
      orgOf.set(r.id, r.orgId);
      isolationOf.set(r.id, r.isolation);
    }
  }
  if (snapshotIds.length) {
    const rows = await tx.select({ id: snapshots.id, orgId: snapshots.orgId, runnerId: snapshots.runnerId }).from(snapshots).where(inArray(snapshots.id, snapshotIds));
    for (const r of rows) if (r.runnerId === runnerId) orgOf.set(snapshotSubject(r.id), r.orgId);
  }
  const subjects = [...sandboxIds, ...snapshotIds.map(snapshotSubject)];
  const state = new Map<string, typeof usageMeterState.$inferSelect>();
  if (subjects.length) for (const s of await tx.select().from(usageMeterState).where(inArray(usageMeterState.subject, subjects))) state.set(s.subject, s);
  return { orgOf, isolationOf, state };
}

export const subjectOf = (e: JournalEvent) => (e.type === 'snapshot' ? snapshotSubject(e.snapshotId) : e.sandboxId);

/**
 * Applies one event to the periods. Idempotent per state: a repeated event closes and reopens
 * the same kind at its time (no time counted twice), and a subject marked deleted takes no more.
 * Returns false when the subject's org is not known (yet): the caller decides whether to wait.
 */
export async function applyEvent(tx: Tx, e: JournalEvent, ctx: Context, touched: Touched): Promise<boolean> {
  const subject = subjectOf(e);
  const orgId = ctx.orgOf.get(subject);
  if (!orgId) return false;
  const at = new Date(e.at);
  const meter = ctx.state.get(subject);
  if (meter?.deletedAt) return true;

  if (e.type === 'snapshot') {
    const closed = await closeOpen(tx, subject, ['storage'], at, touched);
    if (e.state === 'created') await openPeriod(tx, { orgId, subject, snapshotId: e.snapshotId, kind: 'storage', startedAt: notBefore(at, closed), diskBytes: e.sizeBytes });
    else await markDeleted(tx, subject, orgId, at, ctx);
    return true;
  }

  if (e.cpuMs !== null) await activeCpu(tx, subject, orgId, e.sandboxId, e.cpuMs, at, ctx, touched);
  const base = { orgId, subject, sandboxId: e.sandboxId, isolation: ctx.isolationOf.get(e.sandboxId) ?? null, startedAt: at };
  if (e.type === 'sample') {
    // A stopped sandbox's disk use changed: a new storage stretch at the new size.
    if (e.state === 'stopped') {
      const closed = await closeOpen(tx, subject, ['storage'], at, touched);
      await openPeriod(tx, { ...base, startedAt: notBefore(at, closed), kind: 'storage', diskBytes: e.diskBytes || closed[0]?.diskBytes || 0 });
    }
    return true;
  }
  base.startedAt = notBefore(at, await closeOpen(tx, subject, ['compute', 'paused', 'storage'], at, touched));
  if (e.state === 'running') await openPeriod(tx, { ...base, kind: 'compute', vcpuMilli: Math.round(e.cpu * 1000), memoryMb: e.memoryMb });
  else if (e.state === 'paused') await openPeriod(tx, { ...base, kind: 'paused', memoryMb: e.memoryMb });
  else if (e.state === 'stopped') await openPeriod(tx, { ...base, kind: 'storage', diskBytes: e.diskBytes });
  else await markDeleted(tx, subject, orgId, at, ctx);
  if (e.state === 'stopped' || e.state === 'deleted') await saveCpu(tx, subject, orgId, null, null, ctx); // the next start counts from 0
  return true;
}

/**
 * Where the period that follows the ones an event closed starts: at the event, or where they
 * ended if that is later. An event can be dated before the period it ends began: a stop is dated
 * when the runtime stopped, and a runner killed just after that journals it after its restart,
 * behind later events (or behind the hour's roll-over). closeOpen ends such a period where it
 * began (no time), and the next one starts there too, so no second is counted twice.
 */
function notBefore(at: Date, closed: { startedAt: Date }[]): Date {
  let t = at;
  for (const p of closed) if (p.startedAt > t) t = p.startedAt;
  return t;
}

/** Active CPU: the time used since the last reading (the counter restarts with each container). */
async function activeCpu(tx: Tx, subject: string, orgId: string, sandboxId: string, cpuMs: number, at: Date, ctx: Context, touched: Touched) {
  const last = ctx.state.get(subject);
  const prev = last?.lastCpuMs ?? null;
  const delta = prev !== null && cpuMs >= prev ? cpuMs - prev : cpuMs;
  if (delta > 0) {
    const startedAt = last?.lastCpuAt && last.lastCpuAt < at ? last.lastCpuAt : at;
    await addClosed(tx, { orgId, subject, sandboxId, isolation: ctx.isolationOf.get(sandboxId) ?? null, kind: 'active_cpu', startedAt, endedAt: at, cpuMs: delta }, touched);
  }
  await saveCpu(tx, subject, orgId, cpuMs, at, ctx);
}

async function saveCpu(tx: Tx, subject: string, orgId: string, cpuMs: number | null, at: Date | null, ctx: Context) {
  const row = { subject, orgId, lastCpuMs: cpuMs, lastCpuAt: at, deletedAt: ctx.state.get(subject)?.deletedAt ?? null };
  await tx.insert(usageMeterState).values(row).onConflictDoUpdate({ target: usageMeterState.subject, set: { lastCpuMs: cpuMs, lastCpuAt: at } });
  ctx.state.set(subject, row);
}

async function markDeleted(tx: Tx, subject: string, orgId: string, at: Date, ctx: Context) {
  const row = { subject, orgId, lastCpuMs: null, lastCpuAt: null, deletedAt: at };
  await tx.insert(usageMeterState).values(row).onConflictDoUpdate({ target: usageMeterState.subject, set: { deletedAt: at } });
  ctx.state.set(subject, row);
}

/** The console lost track of a sandbox (its runner no longer has it): stop metering it now. */
export async function stopMetering(tx: Tx, sandboxId: string, orgId: string, at: Date, touched: Touched): Promise<void> {
  await closeOpen(tx, sandboxId, ['compute', 'paused', 'storage'], at, touched);
  await tx.insert(usageMeterState).values({ subject: sandboxId, orgId, deletedAt: at }).onConflictDoUpdate({ target: usageMeterState.subject, set: { deletedAt: at } });
}
