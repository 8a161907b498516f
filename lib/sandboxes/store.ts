import { and, eq, isNull, sql } from 'drizzle-orm';
import { type Db, getDb, schema } from '@/db';
import { perDbHandle } from '@/db/per-handle';
import { stopMetering } from '@/lib/usage/apply-events';
import { recomputeRollups, Touched } from '@/lib/usage/periods';
import type { OrgScope } from '@/lib/auth/scope';
import { notFound } from '@/lib/errors';
import type { SandboxInfo } from '@/lib/runner-client';
import { memoClock } from '@/lib/auth/memo-freshness';
import { forgetSandboxRow, recallSandboxRow, rememberSandboxRow, sandboxRowGeneration } from './sandbox-row-memo';
import type { SandboxRow } from './view';

const { sandboxes } = schema;

/** One of the caller's org's live sandboxes; any other id (another org's too) is a 404. */
export async function ownedSandbox(scope: Pick<OrgScope, 'orgId'>, id: string): Promise<SandboxRow> {
  if (!/^[a-z0-9]{3,40}$/.test(id)) throw notFound('Sandbox');
  const [row] = await ownedSandboxQuery(await getDb()).execute({ id, orgId: scope.orgId });
  if (!row) throw notFound('Sandbox');
  return row;
}

/**
 * The same row from the sandbox memo (./sandbox-row-memo.ts) when it holds a fresh one, else read
 * and remembered: for calls made many times a second on one sandbox (exec, the E2B gateway).
 */
export async function recentOwnedSandbox(scope: Pick<OrgScope, 'orgId'>, id: string): Promise<SandboxRow> {
  const memo = recallSandboxRow(scope.orgId, id);
  if (memo) return memo;
  const generation = sandboxRowGeneration();
  const readAt = memoClock();
  const row = await ownedSandbox(scope, id);
  rememberSandboxRow(row, generation, readAt);
  return row;
}

/**
 * Every sandbox call runs this lookup, and building a drizzle query costs more CPU than Postgres
 * takes to answer it: it is built once per database handle (tests reopen theirs) and prepared.
 */
const ownedSandboxQuery = perDbHandle(buildOwnedSandboxQuery);
function buildOwnedSandboxQuery(db: Db) {
  return db
    .select()
    .from(sandboxes)
    .where(and(eq(sandboxes.id, sql.placeholder('id')), eq(sandboxes.orgId, sql.placeholder('orgId')), isNull(sandboxes.deletedAt)))
    .prepare('owned_sandbox');
}

const date = (s: string | null) => (s ? new Date(s) : null);
const same = (a: Date | null, b: Date | null) => (a?.getTime() ?? null) === (b?.getTime() ?? null);

/** Copies what the runner says into the row (only the fields it owns), writing only on change. */
export async function applyRunnerInfo(row: SandboxRow, info: SandboxInfo, opts: { memo?: boolean } = {}): Promise<SandboxRow> {
  const next = {
    state: info.state,
    reason: info.reason,
    expiresAt: date(info.expiresAt),
    startedAt: date(info.startedAt),
    stoppedAt: date(info.stoppedAt),
    lastActivityAt: date(info.lastActivityAt),
    timeoutSec: info.timeoutSec,
  };
  const changed =
    next.state !== row.state ||
    next.reason !== row.reason ||
    next.timeoutSec !== row.timeoutSec ||
    !same(next.expiresAt, row.expiresAt) ||
    !same(next.startedAt, row.startedAt) ||
    !same(next.stoppedAt, row.stoppedAt) ||
    !same(next.lastActivityAt, row.lastActivityAt);
  if (!changed) return row;
  // Conditional on the state this decision was based on: a reconcile pass holding an older
  // runner answer must not undo a stop or start that landed in between.
  const db = await getDb();
  // What is copied here is the runner's to say, and is said again after any crash (the
  // reconciler and every read ask the runner): the commit does not wait for the disk. Waiting
  // took ~7 ms per create on one VM's disk; a Postgres crash can lose at most the last fraction
  // of a second of these copies, never anything of the console's own. One statement, one round
  // trip: `set_config(…, true)` in its condition sets synchronous_commit for the statement's own
  // (implicit) transaction, whose commit reads it; a BEGIN, SET LOCAL, UPDATE, COMMIT took three.
  // `memo`: the row this write returns is remembered as a read's would be (taken before it was
  // sent), unless anything but this write's own forget below came in between.
  const generation = sandboxRowGeneration();
  const readAt = memoClock();
  const [updated] = await db
    .update(sandboxes)
    .set(next)
    .where(and(eq(sandboxes.id, row.id), eq(sandboxes.state, row.state), sql`set_config('synchronous_commit', 'off', true) is not null`))
    .returning();
  const forgot = next.state !== row.state;
  if (forgot) forgetSandboxRow(row.id); // after the write, as markDeleted
  if (updated && opts.memo) rememberSandboxRow(updated, generation + (forgot ? 1 : 0), readAt);
  if (updated) return updated;
  const [current] = await db.select().from(sandboxes).where(eq(sandboxes.id, row.id));
  return current ?? row;
}

export async function updateRow(id: string, patch: Partial<SandboxRow>, base?: SandboxRow): Promise<SandboxRow> {
  const db = await getDb();
  const [row] = await db.update(sandboxes).set(patch).where(eq(sandboxes.id, id)).returning();
  forgetSandboxRow(id);
  return row ?? ({ ...base, ...patch } as SandboxRow);
}

/**
 * The runner no longer knows this sandbox: keep the row (nothing silently disappears), say why.
 * Only a live row: one deleted meanwhile (the runner forgot it because it was deleted, or the
 * row came from the memo) is returned as it now is, deleted, and its metering was stopped then.
 */
export async function markLost(row: SandboxRow): Promise<SandboxRow> {
  const db = await getDb();
  const [updated] = await db
    .update(sandboxes)
    .set({ state: 'error', reason: 'lost by runner', expiresAt: null, stoppedAt: row.stoppedAt ?? new Date() })
    .where(and(eq(sandboxes.id, row.id), isNull(sandboxes.deletedAt)))
    .returning();
  forgetSandboxRow(row.id);
  if (!updated) {
    const [current] = await db.select().from(sandboxes).where(eq(sandboxes.id, row.id));
    return current ?? { ...row, deletedAt: row.deletedAt ?? new Date() };
  }
  // Its runner will journal nothing more about it: the meter stops counting it now.
  await db.transaction(async (tx) => {
    const touched = new Touched();
    await stopMetering(tx, row.id, row.orgId, new Date(), touched);
    await recomputeRollups(tx, touched);
  });
  return updated;
}

/** Soft-deletes the row: it keeps naming the sandbox for usage and audit, but no API shows it. */
export async function markDeleted(id: string, reason: string | null = null, state: 'deleted' | 'error' = 'deleted'): Promise<void> {
  const db = await getDb();
  await db
    .update(sandboxes)
    .set({ state, desiredState: 'deleted', deletedAt: new Date(), expiresAt: null, ...(reason ? { reason } : {}) })
    .where(eq(sandboxes.id, id));
  forgetSandboxRow(id); // after the write: a read racing it is not remembered either
}
