import { and, eq, isNull, sql } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import type { RunnerClient } from '@/lib/runner-client';
import { ingestRunner } from '@/lib/usage/ingest';

const { sandboxes, snapshots } = schema;

/** How long the reconciler lets a `creating` row wait for its runner (lib/sandboxes/reconcile.ts). */
export const CREATING_GRACE_MS = 60_000;

/**
 * What a user of the console may rely on after any crash, once the reconciler has had one pass:
 * every live row names a sandbox the runner has, in the same state, and every sandbox the runner
 * has belongs to exactly one live row. A `creating` row may still wait for its runner within the
 * create grace; nothing may say "lost by runner" (this runner never loses a sandbox, the runner
 * battery shows that) and no delete may be left half-done. Snapshots likewise, both ways.
 */
export async function rowsVsRunner(orgId: string, client: RunnerClient, passStartedAt: number): Promise<string[]> {
  const db = await getDb();
  const problems: string[] = [];
  const rows = await db.select().from(sandboxes).where(and(eq(sandboxes.orgId, orgId), isNull(sandboxes.deletedAt)));
  const listed = new Map((await client.list()).map((s) => [s.id, s]));
  for (const row of rows) {
    const info = listed.get(row.id);
    const where = `row ${row.id} (${row.state}${row.reason ? `, ${row.reason}` : ''}, desired ${row.desiredState})`;
    if (row.desiredState === 'deleted') problems.push(`${where}: its delete was not finished`);
    if (row.reason === 'lost by runner') problems.push(`${where}: marked lost, though the runner loses nothing`);
    if (!info) {
      // Aged as of the reconciler pass that just ran (it leaves rows up to the grace old): a row
      // that crossed the grace between that pass and this check is the next pass's to end.
      const waiting = row.state === 'creating' && passStartedAt - row.createdAt.getTime() <= CREATING_GRACE_MS;
      if (!waiting && row.state !== 'error') problems.push(`${where}: the runner has no such sandbox`);
    } else if (info.state !== row.state) {
      problems.push(`${where}: the runner says ${info.state}`);
    }
  }
  const live = new Set(rows.map((r) => r.id));
  for (const s of listed.values()) {
    if (s.state === 'creating') problems.push(`runner sandbox ${s.id} is still creating`);
    if (!live.has(s.id)) problems.push(`runner sandbox ${s.id} (${s.state}) has no live row`);
  }

  const snapRows = await db.select().from(snapshots).where(and(eq(snapshots.orgId, orgId), isNull(snapshots.deletedAt)));
  const runnerSnaps = new Set((await client.snapshots.list()).map((s) => s.id));
  for (const s of snapRows) if (!runnerSnaps.has(s.id)) problems.push(`snapshot row ${s.id}: the runner has no such snapshot`);
  const snapIds = new Set(snapRows.map((s) => s.id));
  for (const id of runnerSnaps) if (!snapIds.has(id)) problems.push(`runner snapshot ${id} has no live row (its layer is never freed)`);
  return problems;
}

/**
 * Waits (bounded) until the runner has no sandbox in `creating`. A create the killed console
 * started goes on in the runner, and some of its steps run no child process (the btrfs snapshot,
 * waiting for the agent's hello), so a runner with no children for a moment may still be
 * creating, longer on a loaded machine. A create that never ends still fails the check after this.
 */
export async function runnerCreatesDone(client: RunnerClient, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until && (await client.list()).some((s) => s.state === 'creating')) {
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Live sandboxes (rows) made by requests tagged `attempt` (in their metadata). */
export async function liveRowsTagged(orgId: string, attempt: string): Promise<string[]> {
  const db = await getDb();
  const rows = await db
    .select({ id: sandboxes.id })
    .from(sandboxes)
    .where(and(eq(sandboxes.orgId, orgId), isNull(sandboxes.deletedAt), sql`${sandboxes.metadata}->>'attempt' = ${attempt}`));
  return rows.map((r) => r.id);
}

/** Lets time pass for one in-flight Idempotency-Key record: its console is dead, a retry may take over. */
export async function abandonIdempotencyKey(orgId: string, key: string): Promise<void> {
  const db = await getDb();
  await db
    .update(schema.idempotencyKeys)
    .set({ lockedAt: sql`now() - interval '5 minutes'` })
    .where(and(eq(schema.idempotencyKeys.orgId, orgId), eq(schema.idempotencyKeys.key, key)));
}

/** Lets the create grace pass for rows still `creating` (their console is dead). */
export async function ageCreatingRows(orgId: string): Promise<void> {
  const db = await getDb();
  await db
    .update(sandboxes)
    .set({ createdAt: sql`now() - interval '5 minutes'` })
    .where(and(eq(sandboxes.orgId, orgId), eq(sandboxes.state, 'creating'), isNull(sandboxes.deletedAt)));
}

/** Live snapshots (rows) named `name`. */
export async function liveSnapshotsNamed(orgId: string, name: string): Promise<string[]> {
  const db = await getDb();
  const rows = await db
    .select({ id: snapshots.id })
    .from(snapshots)
    .where(and(eq(snapshots.orgId, orgId), isNull(snapshots.deletedAt), eq(snapshots.name, name)));
  return rows.map((r) => r.id);
}

/**
 * Usage after any crash, once the meter has read the runner's journal: every live sandbox has
 * exactly one open period, of the kind its state bills (compute while running, paused, storage
 * while stopped), deleted ones none, and no two of a sandbox's state periods overlap in time (no
 * second counted twice).
 */
export async function usageVsRows(orgId: string, runnerId: string): Promise<string[]> {
  const db = await getDb();
  await ingestRunner(runnerId);
  const problems: string[] = [];
  const rows = await db.select().from(sandboxes).where(eq(sandboxes.orgId, orgId));
  const periods = await db
    .select()
    .from(schema.usagePeriods)
    .where(and(eq(schema.usagePeriods.orgId, orgId), sql`${schema.usagePeriods.kind} <> 'active_cpu'`));
  const KIND: Record<string, string> = { running: 'compute', paused: 'paused', stopped: 'storage' };
  for (const row of rows) {
    const mine = periods.filter((p) => p.sandboxId === row.id);
    const open = mine.filter((p) => !p.endedAt);
    const want = row.deletedAt ? undefined : KIND[row.state];
    if (!row.deletedAt && row.state === 'creating') continue;
    if (want ? open.length !== 1 || open[0]!.kind !== want : open.length !== 0) {
      problems.push(`usage: ${row.id} is ${row.deletedAt ? 'deleted' : row.state} but has open periods [${open.map((p) => p.kind).join(', ')}]`);
    }
    // By start, then end: a period closed where it began (no time) sorts before the one that follows it.
    const spans = mine.map((p) => [p.startedAt.getTime(), (p.endedAt ?? new Date()).getTime()] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    for (let i = 1; i < spans.length; i++) {
      if (spans[i]![0] < spans[i - 1]![1]) problems.push(`usage: ${row.id} has overlapping periods (a second counted twice)`);
    }
  }
  return problems;
}
