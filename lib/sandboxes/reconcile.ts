import { and, eq, inArray, isNull } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import { sweepIdempotencyKeys } from '@/lib/api/idempotency';
import { logger } from '@/lib/logger';
import { syncEgressSecrets } from '@/lib/secrets/propagate';
import type { SandboxInfo } from '@/lib/runner-client';
import { ensureLocalRunnerRegistered, listRunners, recordRunnerHealth, runnerClient } from '@/lib/runners/registry';
import { isInflight } from './inflight';
import { reconcileSnapshots } from './reconcile-snapshots';
import { isRunnerNotFound } from './runner-errors';
import { applyRunnerInfo, markDeleted, markLost } from './store';

const { sandboxes } = schema;
const log = logger.child({ component: 'reconciler' });

/** A row still `creating` this long after its insert, with nothing on the runner, was never made. */
const CREATING_GRACE_MS = 60_000;
/** Expired Idempotency-Key answers are swept this often. */
const SWEEP_EVERY_MS = 10 * 60_000;
/** A runner sandbox or snapshot with no row at all (its org was deleted) is removed after this long. */
const ORPHAN_GRACE_MS = 10 * 60_000;
/** A build step's sandbox outlives its longest step (4 h) only when its runner lost track of it. */
const BUILD_STEP_GRACE_MS = 5 * 3600_000;

export type ReconcileReport = { runner: string; reachable: boolean; updated: number; lost: number; cleaned: number; snapshotsAdopted: number; snapshotsCleaned: number }[];

/**
 * Brings the database in line with what each runner actually runs. The runner is the truth for
 * state, expiry and reason; the database is the truth for what should exist. A runner that
 * cannot be reached changes nothing (its rows keep their last known state) and is marked
 * unreachable; once it answers again its sandboxes reconcile. `orgId` narrows the pass (tests).
 */
export async function reconcileSandboxes(opts: { orgId?: string } = {}): Promise<ReconcileReport> {
  await ensureLocalRunnerRegistered().catch((err) => log.warn({ err }, 'could not register the local runner'));
  const report: ReconcileReport = [];
  for (const runner of await listRunners()) {
    const entry = { runner: runner.id, reachable: false, updated: 0, lost: 0, cleaned: 0, snapshotsAdopted: 0, snapshotsCleaned: 0 };
    report.push(entry);
    // Rows are read before the runner is asked: a row can then only be newer than the runner's
    // answer, and the conditional writes below refuse to overwrite anything that changed.
    const db = await getDb();
    const org = opts.orgId ? eq(sandboxes.orgId, opts.orgId) : undefined;
    const rows = await db
      .select()
      .from(sandboxes)
      .where(and(eq(sandboxes.runnerId, runner.id), isNull(sandboxes.deletedAt), org));
    let live: SandboxInfo[];
    let client: Awaited<ReturnType<typeof runnerClient>>;
    try {
      client = await runnerClient(runner.id);
      const [list, cap] = await Promise.all([client.list(), client.capacity()]);
      live = list;
      await recordRunnerHealth(runner.id, true, cap);
    } catch (err) {
      await recordRunnerHealth(runner.id, false);
      log.debug({ err, runner: runner.id }, 'runner unreachable; its sandboxes keep their last known state');
      continue;
    }
    entry.reachable = true;
    const byId = new Map(live.map((s) => [s.id, s]));
    for (const row of rows) {
      if (isInflight(row.id)) continue; // an action is answering right now; it writes the row itself
      const info = byId.get(row.id);
      if (row.desiredState === 'deleted') {
        // A delete whose console died half-way: finish it (on the runner too, if still there).
        if (info) await client.delete(row.id).catch((err) => log.warn({ err, sandbox: row.id }, 'could not finish a delete'));
        if (!info || !(await client.get(row.id).catch(() => null))) {
          await markDeleted(row.id);
          entry.cleaned++;
        }
        continue;
      }
      if (info) {
        const next = await applyRunnerInfo(row, info);
        if (next !== row) entry.updated++;
        // Egress-only secrets changed while this runner could not be told: catch it up.
        await syncEgressSecrets(row, info, client).catch((err) => log.warn({ sandbox: row.id, err: (err as Error).message }, 'could not refresh egress secrets'));
      } else if (row.state === 'creating') {
        // Its console died before the runner made it (or the runner crashed mid-create and
        // cleaned it up): a create that failed, soft-deleted as a failed create is. Should the
        // runner make it after all, the pass below removes it.
        if (Date.now() - row.createdAt.getTime() <= CREATING_GRACE_MS) continue;
        await markDeleted(row.id, 'create interrupted: the runner never made this sandbox', 'error');
        entry.cleaned++;
      } else if (row.reason !== 'lost by runner') {
        await markLost(row);
        entry.lost++;
      }
    }
    // Finish deletes the runner never heard about (a create that failed half-way, a delete
    // during an outage), and remove sandboxes whose org no longer exists.
    await removeUnwanted(client, live, runner.id, opts, entry);
    // After the sandboxes: a layer whose last fork was just deleted can go too.
    const snaps = await reconcileSnapshots(runner.id, client, { ...opts, orphanGraceMs: ORPHAN_GRACE_MS }).catch((err) => {
      log.warn({ err, runner: runner.id }, 'could not reconcile snapshots');
      return { adopted: 0, cleaned: 0 };
    });
    entry.snapshotsAdopted = snaps.adopted;
    entry.snapshotsCleaned = snaps.cleaned;
  }
  return report;
}

/** Deletes runner sandboxes whose row is deleted, or that no row names long after their create. */
async function removeUnwanted(client: Awaited<ReturnType<typeof runnerClient>>, live: SandboxInfo[], runnerId: string, opts: { orgId?: string }, entry: { cleaned: number }) {
  const db = await getDb();
  const org = opts.orgId ? eq(sandboxes.orgId, opts.orgId) : undefined;
  const ids = live.map((s) => s.id);
  if (ids.length === 0) return;
  const known = await db
    .select({ id: sandboxes.id, deletedAt: sandboxes.deletedAt })
    .from(sandboxes)
    .where(and(inArray(sandboxes.id, ids), org));
  const deleted = new Set(known.filter((k) => k.deletedAt).map((k) => k.id));
  const knownIds = new Set(known.map((k) => k.id));
  for (const s of live) {
    // A recipe build's step sandbox (runner/images/build-steps.ts) has no row: it lives as long as its step.
    const grace = s.metadata?.warren_build ? BUILD_STEP_GRACE_MS : ORPHAN_GRACE_MS;
    const orphan = !opts.orgId && !knownIds.has(s.id) && Date.now() - Date.parse(s.createdAt) > grace;
    if (!deleted.has(s.id) && !orphan) continue;
    await client.delete(s.id).then(
      () => entry.cleaned++,
      // Gone meanwhile (its own delete finished first): what this wanted.
      (err) => (isRunnerNotFound(err) ? entry.cleaned++ : log.warn({ err, sandbox: s.id, runner: runnerId }, 'could not remove a sandbox that should not exist')),
    );
  }
}

export type ReconcilerStatus = { intervalMs: number; lastRunAt: string | null; lastOkAt: string | null; lastError: string | null };
const STATUS_KEY = Symbol.for('warren.reconciler-status');
const g = globalThis as unknown as { [STATUS_KEY]?: ReconcilerStatus };

/** What /api/health says about the reconciler (null when it is not running in this process). */
export function reconcilerStatus(): ReconcilerStatus | null {
  return g[STATUS_KEY] ?? null;
}

/** Runs the reconciler now and every `intervalMs` (never two passes at once); returns a stop function. */
export function startSandboxReconciler(intervalMs = 10_000): () => Promise<void> {
  let running: Promise<unknown> | null = null;
  const status: ReconcilerStatus = { intervalMs, lastRunAt: null, lastOkAt: null, lastError: null };
  g[STATUS_KEY] = status;
  let lastSweep = 0;
  const tick = () => {
    if (running) return;
    status.lastRunAt = new Date().toISOString();
    if (Date.now() - lastSweep > SWEEP_EVERY_MS) {
      lastSweep = Date.now();
      void sweepIdempotencyKeys().catch((err) => log.warn({ err }, 'could not sweep expired idempotency keys'));
    }
    running = reconcileSandboxes()
      .then(() => {
        status.lastOkAt = new Date().toISOString();
        status.lastError = null;
      })
      .catch((err) => {
        status.lastError = (err as Error).message;
        log.error({ err }, 'reconcile pass failed');
      })
      .finally(() => {
        running = null;
      });
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
    if (g[STATUS_KEY] === status) g[STATUS_KEY] = undefined;
  };
}

