import { and, count, desc, eq, isNull } from 'drizzle-orm';
import { type DbOrTx, getDb, schema } from '@/db';
import { recordAudit } from '@/lib/audit/audit';
import type { OrgScope } from '@/lib/auth/scope';
import { AppError, conflict, notFound } from '@/lib/errors';
import { newId } from '@/lib/ids';
import { surelyNotDone } from '@/lib/runner-client';
import { logger } from '@/lib/logger';
import { runnerClient } from '@/lib/runners/registry';
import { assertCanSpend } from '@/lib/billing/standing';
import { inflight } from './inflight';
import { onRunner } from './lifecycle';
import { orgLimits } from './limits';
import { fromRunner, isRunnerNotFound, viaRunner } from './runner-errors';
import { snapshotInflightKey } from './reconcile-snapshots';
import { releaseReservation, reserveSnapshotBytes } from './snapshot-quota';
import { ownedSandbox } from './store';
import { type SandboxRow, type SnapshotRow, snapshotView } from './view';

const { snapshots, sandboxes, templates } = schema;

/**
 * Snapshots cost storage: the org must be able to pay, and the snapshot must fit its snapshot
 * storage limit (room is reserved before the runner copies, released once the row lands).
 *
 * The row is written after the runner's copy, so the id is ours: with an Idempotency-Key it is
 * recorded (`retry.remember`) before the runner is asked, and a retry that takes over from a dead
 * console (`retry.previous`) finds that snapshot, or makes it under that id: never a second one.
 * A console that dies between the runner's copy and the row leaves a layer that the reconciler
 * adopts (lib/sandboxes/reconcile-snapshots.ts), so none stays on the runner without a row.
 */
export async function createSnapshot(
  scope: OrgScope,
  sandboxId: string,
  name?: string,
  retry: { previous?: string | null; remember?: (tx: DbOrTx, id: string) => Promise<void> } = {},
) {
  const row = await ownedSandbox(scope, sandboxId);
  await assertCanSpend(scope.orgId);
  const { maxSnapshotBytes } = await orgLimits(scope.orgId);
  const { diskBytes } = await onRunner(row, (c) => c.metrics(sandboxId));
  const reservation = await reserveSnapshotBytes(scope.orgId, maxSnapshotBytes, diskBytes);
  const db = await getDb();
  const id = retry.previous ?? newId();
  try {
    if (!retry.previous) await retry.remember?.(db, id);
    // In flight: the reconciler adopts a layer that no row names, unless this is about to write it.
    return snapshotView(await inflight(snapshotInflightKey(id), () => takeAndRecord(scope, row, id, name, Boolean(retry.previous), reservation)));
  } catch (err) {
    await releaseReservation(reservation).catch(() => {});
    throw err;
  }
}

/** The runner's snapshot (the first try's, for a retry), then its row, audit entry and the room it held. */
async function takeAndRecord(scope: OrgScope, row: SandboxRow, id: string, name: string | undefined, isRetry: boolean, reservation: string): Promise<SnapshotRow> {
  const info = await onRunner(row, async (c) => {
    const first = isRetry ? await c.snapshots.get(id).catch((err) => (isRunnerNotFound(err) ? null : Promise.reject(err))) : null;
    return first ?? c.snapshots.create(row.id, name, id);
  });
  const db = await getDb();
  return db.transaction(async (tx) => {
    const [inserted] = await tx
      .insert(snapshots)
      .values({ id: info.id, orgId: scope.orgId, sandboxId: row.id, runnerId: row.runnerId, name: info.name ?? name ?? null, sizeBytes: info.sizeBytes })
      .onConflictDoNothing()
      .returning();
    await releaseReservation(reservation, tx);
    if (!inserted) return (await tx.select().from(snapshots).where(eq(snapshots.id, id)))[0]!; // the first try's row, or the reconciler's
    await recordAudit(scope, 'snapshot.create', { type: 'snapshot', id: info.id }, { sandboxId: row.id, sizeBytes: info.sizeBytes }, tx);
    return inserted;
  });
}

/** The org's snapshots, newest first; `sandboxId` narrows to one sandbox's. */
export async function listSnapshots(scope: Pick<OrgScope, 'orgId'>, opts: { sandboxId?: string; limit?: number } = {}) {
  const db = await getDb();
  const rows = await db
    .select()
    .from(snapshots)
    .where(and(eq(snapshots.orgId, scope.orgId), isNull(snapshots.deletedAt), opts.sandboxId ? eq(snapshots.sandboxId, opts.sandboxId) : undefined))
    .orderBy(desc(snapshots.createdAt))
    .limit(Math.min(Math.max(opts.limit ?? 100, 1), 500));
  return rows.map(snapshotView);
}

export async function ownedSnapshot(scope: Pick<OrgScope, 'orgId'>, id: string): Promise<SnapshotRow> {
  if (!/^[a-z0-9]{3,64}$/.test(id)) throw notFound('Snapshot');
  const db = await getDb();
  const [row] = await db
    .select()
    .from(snapshots)
    .where(and(eq(snapshots.id, id), eq(snapshots.orgId, scope.orgId), isNull(snapshots.deletedAt)));
  if (!row) throw notFound('Snapshot');
  return row;
}

export async function getSnapshot(scope: Pick<OrgScope, 'orgId'>, id: string) {
  const snap = await ownedSnapshot(scope, id);
  const db = await getDb();
  const forks = await db
    .select({ id: sandboxes.id })
    .from(sandboxes)
    .where(and(eq(sandboxes.snapshotId, id), eq(sandboxes.orgId, scope.orgId), isNull(sandboxes.deletedAt)));
  return { ...snapshotView(snap), usedBy: forks.map((f) => f.id) };
}

/** Refused (409) while a sandbox still stands on this layer: forks are not copies. */
export async function deleteSnapshot(scope: OrgScope, id: string) {
  const snap = await getSnapshot(scope, id);
  const db0 = await getDb();
  const [tpl] = await db0
    .select({ name: templates.name })
    .from(templates)
    .where(and(eq(templates.snapshotId, id), isNull(templates.deletedAt)))
    .limit(1);
  if (tpl) throw conflict(`Snapshot is saved as template ${tpl.name}; delete that template first`);
  if (snap.usedBy.length) throw conflict(`Snapshot is used by ${snap.usedBy.length} sandbox(es) (${snap.usedBy.join(', ')}); delete those first`);
  // Forks of another org's (a template this org published once is every org's): the runner
  // would refuse naming them, and their ids are not this org's to see.
  const [foreign] = await db0
    .select({ n: count() })
    .from(sandboxes)
    .where(and(eq(sandboxes.snapshotId, id), isNull(sandboxes.deletedAt)));
  if ((foreign?.n ?? 0) > 0) throw conflict('Snapshot is still used by sandboxes started from it; it can be deleted once they are gone');
  const row = await ownedSnapshot(scope, id);
  // The row first, then the layer: a console that dies in between leaves a deleted row whose
  // layer the reconciler frees (./reconcile-snapshots.ts). The other order left a live snapshot
  // whose layer was gone, which every fork of it then failed on.
  // Audited with the mark, in its transaction: a delete the reconciler finishes is audited too.
  const db = await getDb();
  const mine = and(eq(snapshots.id, id), eq(snapshots.orgId, scope.orgId));
  const markedAt = new Date();
  const marked = await db.transaction(async (tx) => {
    const [r] = await tx.update(snapshots).set({ deletedAt: markedAt }).where(and(mine, isNull(snapshots.deletedAt))).returning({ id: snapshots.id });
    if (r) await recordAudit(scope, 'snapshot.delete', { type: 'snapshot', id }, null, tx);
    return r;
  });
  if (!marked) throw notFound('Snapshot'); // a delete racing this one won
  try {
    await (await runnerClient(row.runnerId)).snapshots.delete(id);
  } catch (err) {
    if (isRunnerNotFound(err)) {
      // Already gone on the runner: the row was all there was to do.
    } else if (err instanceof AppError || surelyNotDone(err)) {
      // The runner refused, or the call never reached it: the layer is there, so the snapshot
      // stays, as the caller is told, and the audit log says the delete failed.
      const failure = fromRunner(err);
      await db.transaction(async (tx) => {
        const [undone] = await tx.update(snapshots).set({ deletedAt: null }).where(and(mine, eq(snapshots.deletedAt, markedAt))).returning({ id: snapshots.id });
        if (undone) await recordAudit(scope, 'snapshot.delete_failed', { type: 'snapshot', id }, { code: (failure as AppError).code ?? 'internal' }, tx);
      });
      throw failure;
    } else {
      // A timeout, a connection cut mid-call, a runner error: the layer may be gone. The delete
      // stands, and the reconciler frees the layer if it is still there once the runner answers.
      logger.warn({ err: (err as Error).message, snapshot: id }, 'snapshot deleted; the runner did not confirm its layer is gone (the reconciler will)');
    }
  }
}

export async function listSnapshotFiles(scope: OrgScope, id: string, path: string, signal?: AbortSignal) {
  const snap = await ownedSnapshot(scope, id);
  const entries = await viaRunner(async () => (await runnerClient(snap.runnerId)).snapshots.files.list(id, path, { signal }));
  return { path, entries };
}

export async function readSnapshotFile(scope: OrgScope, id: string, path: string, signal?: AbortSignal) {
  const snap = await ownedSnapshot(scope, id);
  const client = await viaRunner(() => runnerClient(snap.runnerId));
  const stat = await viaRunner(() => client.snapshots.files.stat(id, path, { signal }));
  if (stat.type === 'dir') throw new AppError('bad_request', `${path} is a directory; list it with GET /files?path=`);
  const stream = await viaRunner(() => client.snapshots.files.read(id, path, { signal }));
  return { stream, size: stat.size };
}
