import { inArray } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import { recordAudit, systemActor } from '@/lib/audit/audit';
import { logger } from '@/lib/logger';
import type { RunnerClient } from '@/lib/runner-client';
import { isInflight } from './inflight';
import { isRunnerNotFound } from './runner-errors';

const { sandboxes, snapshots } = schema;
const log = logger.child({ component: 'reconciler' });

/** Marks a snapshot being taken by this process, so the pass below leaves its layer to it. */
export const snapshotInflightKey = (id: string) => `snapshot:${id}`;

export type SnapshotPass = { adopted: number; cleaned: number };

/**
 * Runner snapshots that no live row names. A snapshot's row is written after the runner made its
 * layer (lib/sandboxes/snapshots.ts), so a console that dies in between leaves a layer nothing
 * would ever free. The user asked for it and the runner made it, so it is adopted: a row in its
 * sandbox's org, named and sized as the runner says, audited as the reconciler's. A retry with the
 * same Idempotency-Key then finds that row and answers with it. A layer whose row is deleted is
 * deleted on the runner (a delete that failed half-way).
 *
 * The other way (a live row whose layer the runner does not list) is left alone: a runner that
 * lost its state dir would otherwise have every snapshot row deleted; deleting such a snapshot
 * works (the runner's 404 counts as gone).
 */
export async function reconcileSnapshots(runnerId: string, client: RunnerClient, opts: { orgId?: string; orphanGraceMs: number }): Promise<SnapshotPass> {
  const pass: SnapshotPass = { adopted: 0, cleaned: 0 };
  const layers = await client.snapshots.list();
  if (layers.length === 0) return pass;
  const db = await getDb();
  // Read after the runner's list: a row written meanwhile counts as known.
  const rows = await db
    .select({ id: snapshots.id, orgId: snapshots.orgId, deletedAt: snapshots.deletedAt })
    .from(snapshots)
    .where(inArray(snapshots.id, layers.map((s) => s.id)));
  const known = new Map(rows.map((k) => [k.id, k]));
  const unnamed = layers.filter((s) => !known.has(s.id) && !isInflight(snapshotInflightKey(s.id)));
  const ownerRows = unnamed.length
    ? await db
        .select({ id: sandboxes.id, orgId: sandboxes.orgId, runnerId: sandboxes.runnerId })
        .from(sandboxes)
        .where(inArray(sandboxes.id, [...new Set(unnamed.map((s) => s.sandboxId))]))
    : [];
  const owners = new Map(ownerRows.map((o) => [o.id, o]));

  for (const layer of layers) {
    const row = known.get(layer.id);
    if (row) {
      if (row.deletedAt && (!opts.orgId || row.orgId === opts.orgId) && (await deleteLayer(client, layer.id))) pass.cleaned++;
      continue;
    }
    if (isInflight(snapshotInflightKey(layer.id))) continue;
    const owner = owners.get(layer.sandboxId);
    if (!owner || owner.runnerId !== runnerId) {
      // No org to give it to (another database's runner state, or an org deleted since).
      const old = Date.now() - Date.parse(layer.createdAt) > opts.orphanGraceMs;
      if (!opts.orgId && old && (await deleteLayer(client, layer.id))) pass.cleaned++;
      continue;
    }
    if (opts.orgId && owner.orgId !== opts.orgId) continue;
    if (await adopt(runnerId, owner.orgId, layer)) pass.adopted++;
  }
  return pass;
}

type Layer = Awaited<ReturnType<RunnerClient['snapshots']['list']>>[number];

async function adopt(runnerId: string, orgId: string, layer: Layer): Promise<boolean> {
  const db = await getDb();
  const adopted = await db.transaction(async (tx) => {
    const [inserted] = await tx
      .insert(snapshots)
      .values({ id: layer.id, orgId, sandboxId: layer.sandboxId, runnerId, name: layer.name, sizeBytes: layer.sizeBytes, createdAt: new Date(layer.createdAt) })
      .onConflictDoNothing() // its console wrote the row after all
      .returning({ id: snapshots.id });
    if (!inserted) return false;
    await recordAudit(systemActor(orgId, 'reconciler'), 'snapshot.create', { type: 'snapshot', id: layer.id }, { sandboxId: layer.sandboxId, sizeBytes: layer.sizeBytes, adopted: true }, tx);
    return true;
  });
  if (adopted) log.info({ snapshot: layer.id, sandbox: layer.sandboxId }, 'adopted a snapshot whose console stopped before writing its row');
  return adopted;
}

/** True when the layer is gone; one still in use (a fork stands on it) stays, with a warning. */
async function deleteLayer(client: RunnerClient, id: string): Promise<boolean> {
  try {
    await client.snapshots.delete(id);
    return true;
  } catch (err) {
    if (isRunnerNotFound(err)) return true;
    log.warn({ err, snapshot: id }, 'could not remove a snapshot layer that should not exist');
    return false;
  }
}
