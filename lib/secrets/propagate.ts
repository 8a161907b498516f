import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import { logger } from '@/lib/logger';
import type { SandboxInfo } from '@/lib/runner-client';
import { runnerClient } from '@/lib/runners/registry';
import { currentEgress, egressRevisions } from './vault';

const { sandboxes } = schema;
const log = logger.child({ svc: 'secrets' });

/**
 * Egress-only secrets follow a change at once: when one is updated or deleted, every running or
 * paused sandbox that names it gets its egress secrets as they are now (a deleted one is simply
 * left out, so its placeholder is no longer replaced). Env secrets stay as they were until the
 * sandbox restarts. A runner that cannot be reached now is caught up by the reconciler
 * (`syncEgressSecrets`), which compares revisions every pass.
 */
export async function pushEgressSecrets(orgId: string, name: string): Promise<void> {
  const db = await getDb();
  const rows = await db
    .select({ id: sandboxes.id, runnerId: sandboxes.runnerId, secrets: sandboxes.secrets })
    .from(sandboxes)
    .where(
      and(
        eq(sandboxes.orgId, orgId),
        isNull(sandboxes.deletedAt),
        inArray(sandboxes.state, ['running', 'paused']),
        sql`${sandboxes.secrets} @> ${JSON.stringify([name])}::jsonb`,
      ),
    );
  await Promise.all(
    rows.map(async (row) => {
      try {
        const client = await runnerClient(row.runnerId);
        await client.updateEgressSecrets(row.id, await currentEgress(orgId, row.secrets));
      } catch (err) {
        log.warn({ sandbox: row.id, secret: name, err: (err as Error).message }, 'egress secrets not updated now; the reconciler retries');
      }
    }),
  );
}

/** Reconciler: a running sandbox whose egress secrets' revisions differ from the vault's gets them again. */
export async function syncEgressSecrets(
  row: { id: string; orgId: string; secrets: string[] },
  info: SandboxInfo,
  client: Awaited<ReturnType<typeof runnerClient>>,
): Promise<boolean> {
  if (!row.secrets.length || (info.state !== 'running' && info.state !== 'paused') || !info.secrets) return false;
  const want = await egressRevisions(row.orgId, row.secrets);
  const have = new Map(info.secrets.egress.map((e) => [e.name, e.revision]));
  const same = want.size === have.size && [...want].every(([n, r]) => have.get(n) === r);
  if (same) return false;
  await client.updateEgressSecrets(row.id, await currentEgress(row.orgId, row.secrets));
  return true;
}
