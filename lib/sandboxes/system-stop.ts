import { and, eq, inArray, isNull } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import { recordAudit, systemActor } from '@/lib/audit/audit';
import { logger } from '@/lib/logger';
import { inflight } from './inflight';
import { onRunner } from './lifecycle';
import { applyRunnerInfo, updateRow } from './store';

const { sandboxes } = schema;

/**
 * Stops (never deletes) every running or paused sandbox of an org, as the platform: for billing
 * (no credit, the spend limit) and suspension. Processes end, files stay; a start brings the
 * sandbox back once the org may spend again. Each stop is audited with the reason. Best effort
 * per sandbox: one the runner cannot stop now is left for the next pass.
 */
export async function stopOrgSandboxes(orgId: string, reason: string, label = 'billing'): Promise<{ stopped: string[]; failed: string[] }> {
  const db = await getDb();
  const rows = await db
    .select()
    .from(sandboxes)
    .where(and(eq(sandboxes.orgId, orgId), isNull(sandboxes.deletedAt), inArray(sandboxes.state, ['running', 'paused'])));
  const stopped: string[] = [];
  const failed: string[] = [];
  for (const row of rows) {
    try {
      await inflight(row.id, async () => {
        const info = await onRunner(row, (c) => c.stop(row.id));
        await applyRunnerInfo({ ...row, desiredState: 'stopped' }, info);
        await updateRow(row.id, { desiredState: 'stopped' });
      });
      await recordAudit(systemActor(orgId, label), 'sandbox.stop', { type: 'sandbox', id: row.id }, { reason });
      stopped.push(row.id);
    } catch (err) {
      // A 409: it stopped meanwhile (its TTL, a person, another console): nothing to do.
      if ((err as { code?: string }).code === 'conflict') continue;
      failed.push(row.id);
      logger.warn({ err, sandbox: row.id, reason }, 'could not stop a sandbox for billing; the next pass retries');
    }
  }
  return { stopped, failed };
}
