import { and, count, eq, inArray, isNull, sql } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import type { OrgScope } from '@/lib/auth/scope';
import { orgCapacityUse } from '@/lib/sandboxes/capacity';
import { effectiveLimits, LIMIT_NAMES, type LimitName } from '@/lib/sandboxes/limits';
import { snapshotBytesUsed } from '@/lib/sandboxes/snapshot-quota';
import { isolationAvailability } from '@/lib/runners/isolation';
import { listRunners } from '@/lib/runners/registry';
import { billingStatus } from './billing-view';
import { QUOTA_INFO } from './quota-labels';
import { busiestKeyLastMinute } from './rate-limit';
import { countTemplates } from './template-quota';

const { sandboxes, sandboxPorts } = schema;

/**
 * GET /api/v1/quotas: every limit with what the org uses of it now and where the limit comes
 * from (its plan or a per-org override). Per-sandbox limits show the largest sandbox's value.
 */
export async function getQuotas(scope: Pick<OrgScope, 'orgId'>) {
  const db = await getDb();
  const { limits, sources, plan } = await effectiveLimits(scope.orgId);
  const cap = await orgCapacityUse(db, scope.orgId);
  const live = and(eq(sandboxes.orgId, scope.orgId), isNull(sandboxes.deletedAt));
  const active = and(live, inArray(sandboxes.state, ['creating', 'running', 'paused']));
  const [big] = await db
    .select({ cpu: sql<number>`coalesce(max(${sandboxes.cpu}), 0)`, memoryMb: sql<number>`coalesce(max(${sandboxes.memoryMb}), 0)`, timeoutSec: sql<number>`coalesce(max(${sandboxes.timeoutSec}), 0)` })
    .from(sandboxes)
    .where(active);
  const [disk] = await db.select({ diskMb: sql<number>`coalesce(max(${sandboxes.diskMb}), 0)` }).from(sandboxes).where(live);
  const [ports] = await db
    .select({ n: sql<number>`coalesce(max(n), 0)` })
    .from(db.select({ n: count().as('n') }).from(sandboxPorts).where(eq(sandboxPorts.orgId, scope.orgId)).groupBy(sandboxPorts.sandboxId).as('per_sandbox'));
  const snaps = await snapshotBytesUsed(db, scope.orgId);
  const used: Record<LimitName, number> = {
    maxSandboxes: cap.sandboxes,
    maxRunningCpu: cap.cpuMilli / 1000,
    maxRunningMemoryMb: cap.memoryMb,
    maxCpu: Number(big?.cpu ?? 0),
    maxMemoryMb: Number(big?.memoryMb ?? 0),
    maxDiskMb: Number(disk?.diskMb ?? 0),
    maxTimeoutSec: Number(big?.timeoutSec ?? 0),
    maxSnapshotBytes: snaps.stored + snaps.reserved,
    maxTemplates: await countTemplates(db, scope.orgId),
    apiRequestsPerMinute: await busiestKeyLastMinute(scope.orgId, limits.apiRequestsPerMinute, db),
    maxPortsPerSandbox: Number(ports?.n ?? 0),
  };
  return {
    plan,
    /** Which isolation levels a create can get now (the runners' probes), for the create dialog. */
    isolation: isolationAvailability(await listRunners()),
    quotas: LIMIT_NAMES.map((name) => ({ name, ...QUOTA_INFO[name], limit: limits[name], used: used[name], source: sources[name] })),
    status: await billingStatus(scope.orgId),
  };
}
