import { and, asc, eq, inArray, isNotNull, isNull, lt, ne, or, type SQL, sql } from 'drizzle-orm';
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
export async function sweepSandboxes(now = new Date()): Promise<{ deleted: string[]; failed: string[]; unreachableRunners: string[] }> {
  const db = await getDb();
  const timedOut = and(
    isNull(sandboxes.deletedAt),
    eq(sandboxes.state, 'stopped'),
    eq(sandboxes.onTimeout, 'delete'),
    ne(sandboxes.desiredState, 'deleted'), // a delete on its way: the reconciler finishes it
    inArray(sandboxes.reason, ['timeout', 'idle']),
  );
  const expired = and(
    isNull(sandboxes.deletedAt),
    eq(sandboxes.state, 'stopped'),
    ne(sandboxes.desiredState, 'deleted'),
    isNotNull(orgs.stoppedRetentionDays),
    lt(sandboxes.stoppedAt, sql`${now.toISOString()}::timestamptz - make_interval(days => ${orgs.stoppedRetentionDays})`),
  );
  // Only runners that answer their health call are asked to delete anything this pass: each try
  // on one that does not would only fail, and leave two audit entries (lifecycle.ts). They are
  // left out of the queries below, not skipped after them, so 200 sandboxes on a runner that is
  // down cannot fill every pass's batch while other runners' sandboxes wait.
  const holders = await db
    .selectDistinct({ runnerId: sandboxes.runnerId })
    .from(sandboxes)
    .innerJoin(orgs, eq(orgs.id, sandboxes.orgId))
    .where(or(timedOut, expired));
  const answers = await Promise.all(
    holders.map(({ runnerId }) =>
      runnerClient(runnerId)
        .then((c) => c.health())
        .then(
          () => ({ runnerId, ok: true }),
          (err) => {
            log.warn({ err: (err as Error).message, runner: runnerId }, 'runner not reachable; its sandboxes wait for the next retention pass');
            return { runnerId, ok: false };
          },
        ),
    ),
  );
  const reachable = answers.filter((a) => a.ok).map((a) => a.runnerId);
  const unreachableRunners = answers.filter((a) => !a.ok).map((a) => a.runnerId);
  if (reachable.length === 0) return { deleted: [], failed: [], unreachableRunners };
  const batch = (where: SQL | undefined) =>
    db
      .select({ id: sandboxes.id, orgId: sandboxes.orgId, days: orgs.stoppedRetentionDays })
      .from(sandboxes)
      .innerJoin(orgs, eq(orgs.id, sandboxes.orgId))
      .where(and(where, inArray(sandboxes.runnerId, reachable)))
      .orderBy(asc(sandboxes.stoppedAt)) // the longest waiting first
      .limit(200);
  const [dueByTimeout, dueByRetention] = await Promise.all([batch(timedOut), batch(expired)]);
  const work = [
    ...dueByTimeout.map((r) => ({ ...r, data: { reason: 'onTimeout: delete' } })),
    ...dueByRetention.map((r) => ({ ...r, data: { reason: `stopped for more than ${r.days} days (org retention)` } })),
  ];
  const deleted: string[] = [];
  const failed: string[] = [];
  for (const w of work) {
    if (deleted.includes(w.id)) continue;
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
  return { deleted, failed, unreachableRunners };
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
