import { and, eq, isNull } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import { logger } from '@/lib/logger';
import { runnerClient } from '@/lib/runners/registry';
import { isRunnerNotFound } from './runner-errors';
import { markDeleted } from './store';

/**
 * Deletes every sandbox and snapshot of an org on its runners, for org deletion: call it before
 * the org row goes (the cascade removes the rows; without this, the runners would keep the
 * sandboxes until the reconciler's orphan sweep). Best effort per sandbox; returns what failed
 * so the caller can say so.
 */
export async function deleteOrgSandboxes(orgId: string): Promise<{ deleted: number; failed: string[] }> {
  const db = await getDb();
  const { sandboxes, snapshots } = schema;
  const rows = await db
    .select({ id: sandboxes.id, runnerId: sandboxes.runnerId })
    .from(sandboxes)
    .where(and(eq(sandboxes.orgId, orgId), isNull(sandboxes.deletedAt)));
  const failed: string[] = [];
  let deleted = 0;
  for (const row of rows) {
    try {
      await (await runnerClient(row.runnerId)).delete(row.id);
    } catch (err) {
      if (!isRunnerNotFound(err)) {
        failed.push(row.id);
        logger.warn({ err, sandbox: row.id }, 'could not delete a sandbox of a deleted org; the reconciler will retry');
        // Soft-deleted anyway: the reconciler deletes runner sandboxes whose row is deleted.
      }
    }
    await markDeleted(row.id, 'org deleted');
    deleted++;
  }
  const snaps = await db
    .select({ id: snapshots.id, runnerId: snapshots.runnerId })
    .from(snapshots)
    .where(and(eq(snapshots.orgId, orgId), isNull(snapshots.deletedAt)));
  for (const s of snaps) {
    // Soft-deleted anyway: the reconciler frees layers whose row is deleted.
    await (await runnerClient(s.runnerId)).snapshots.delete(s.id).catch(() => {});
    await db.update(snapshots).set({ deletedAt: new Date() }).where(eq(snapshots.id, s.id));
  }
  return { deleted, failed };
}
