import { and, eq, inArray, isNotNull, isNull, lt, ne, sql } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import { systemActor } from '@/lib/audit/audit';
import { logger } from '@/lib/logger';
import { runnerClient } from '@/lib/runners/registry';
import { deleteSandbox } from './lifecycle';

const { sandboxes, orgs } = schema;
const log = logger.child({ component: 'sandbox-retention' });

/**
 * Deletes what nobody will come back for, so stopped sandboxes (and demo visitors') do not pile
 * up: a sandbox whose `onTimeout` is `delete` once its timeout has stopped it (the runner stops,
 * this deletes: deleting is the console's, which owns the row, the usage and the audit trail),
 * and any sandbox stopped for longer than its org's `stoppedRetentionDays`. Audited as the
 * system with the reason. Best effort per sandbox: one that cannot be deleted now is retried at
 * the next pass.
 */
export async function sweepSandboxes(now = new Date()): Promise<{ deleted: string[]; failed: string[] }> {
  const db = await getDb();
  const timedOut = await db
    .select({ id: sandboxes.id, orgId: sandboxes.orgId, runnerId: sandboxes.runnerId })
    .from(sandboxes)
    .where(
      and(
        isNull(sandboxes.deletedAt),
        eq(sandboxes.state, 'stopped'),
        eq(sandboxes.onTimeout, 'delete'),
        ne(sandboxes.desiredState, 'deleted'), // a delete on its way: the reconciler finishes it
        inArray(sandboxes.reason, ['timeout', 'idle']),
      ),
    )
    .limit(200);
  const expired = await db
    .select({ id: sandboxes.id, orgId: sandboxes.orgId, runnerId: sandboxes.runnerId, days: orgs.stoppedRetentionDays })
    .from(sandboxes)
    .innerJoin(orgs, eq(orgs.id, sandboxes.orgId))
    .where(
      and(
        isNull(sandboxes.deletedAt),
        eq(sandboxes.state, 'stopped'),
        ne(sandboxes.desiredState, 'deleted'),
        isNotNull(orgs.stoppedRetentionDays),
        lt(sandboxes.stoppedAt, sql`${now.toISOString()}::timestamptz - make_interval(days => ${orgs.stoppedRetentionDays})`),
      ),
    )
    .limit(200);
  const work = [
    ...timedOut.map((r) => ({ ...r, data: { reason: 'onTimeout: delete' } })),
    ...expired.map((r) => ({ ...r, data: { reason: `stopped for more than ${r.days} days (org retention)` } })),
  ];
  const deleted: string[] = [];
  const failed: string[] = [];
  // A runner that does not answer its health call is not asked to delete anything this pass:
  // each try would only fail, and each failed delete leaves two audit entries (lifecycle.ts).
  const reachable = new Map<string, Promise<boolean>>();
  const answers = (runnerId: string) => {
    let ok = reachable.get(runnerId);
    if (!ok) {
      ok = runnerClient(runnerId)
        .then((c) => c.health())
        .then(
          () => true,
          (err) => {
            log.warn({ err: (err as Error).message, runner: runnerId }, 'runner not reachable; its sandboxes wait for the next retention pass');
            return false;
          },
        );
      reachable.set(runnerId, ok);
    }
    return ok;
  };
  for (const w of work) {
    if (deleted.includes(w.id)) continue;
    if (!(await answers(w.runnerId))) {
      failed.push(w.id);
      continue;
    }
    try {
      await deleteSandbox({ orgId: w.orgId }, w.id, { by: systemActor(w.orgId, 'retention'), data: w.data });
      deleted.push(w.id);
    } catch (err) {
      // 404: someone deleted it meanwhile; anything else waits for the next pass.
      if ((err as { code?: string }).code === 'not_found') continue;
      failed.push(w.id);
      log.warn({ err, sandbox: w.id }, 'could not delete a sandbox for retention; the next pass retries');
    }
  }
  return { deleted, failed };
}

/** The sweep's loop (lib/server/boot-hooks.ts), every WARREN_RETENTION_SWEEP_SEC (default 30). */
export function startRetentionSweep(everyMs = (Number(process.env.WARREN_RETENTION_SWEEP_SEC) || 30) * 1000): () => Promise<void> {
  let running: Promise<unknown> | null = null;
  let stopped = false;
  const timer = setInterval(() => {
    if (running || stopped) return;
    running = sweepSandboxes()
      .catch((err) => log.error({ err }, 'retention sweep failed'))
      .finally(() => {
        running = null;
      });
  }, everyMs);
  timer.unref();
  return async () => {
    stopped = true;
    clearInterval(timer);
    await running;
  };
}
