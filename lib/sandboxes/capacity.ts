import { sql } from 'drizzle-orm';
import type { DbOrTx, Tx } from '@/db';
import { AppError } from '@/lib/errors';
import type { SandboxLimits } from './limits';

/** States that hold one of the org's concurrent-sandbox slots (and their memory). */
export const ACTIVE_STATES = ['creating', 'running', 'paused'] as const;

/**
 * What the org's sandboxes hold right now. A paused sandbox keeps its slot and its memory (the
 * freezer keeps it) but uses no CPU, so resuming one needs vCPU room only. vCPUs are summed in
 * thousandths as integers: `cpu` is a float column and 0.1 + 0.2 must not pass a limit of 0.3.
 */
export async function orgCapacityUse(db: DbOrTx, orgId: string, except?: string) {
  const res = await db.execute(sql`
    select count(*) filter (where state in ('creating', 'running', 'paused'))::int as slots,
      coalesce(sum(round(cpu * 1000)) filter (where state in ('creating', 'running')), 0)::bigint as cpu_milli,
      coalesce(sum(memory_mb) filter (where state in ('creating', 'running', 'paused')), 0)::bigint as memory_mb
    from sandboxes
    where org_id = ${orgId} and deleted_at is null ${except ? sql`and id <> ${except}` : sql``}`);
  const rows = (Array.isArray(res) ? res : (res as { rows: unknown[] }).rows) as Array<Record<string, unknown>>;
  const r = rows[0] ?? {};
  return { sandboxes: Number(r.slots ?? 0), cpuMilli: Number(r.cpu_milli ?? 0), memoryMb: Number(r.memory_mb ?? 0) };
}

export type Want = { cpu: number; memoryMb: number };

/**
 * Takes the org's capacity lock for the rest of the transaction and refuses (429, with the limit
 * and the current use) when one more sandbox of `want` would pass the concurrent-sandbox, running
 * vCPU or running memory limit. `except` is the sandbox being started or resumed: it is left
 * out of the count and added back as `want`. Create, fork, start and resume all go through
 * here and mark their row inside the same transaction, so two racing requests can never both
 * take the last unit.
 */
export async function claimCapacity(tx: Tx, orgId: string, limits: SandboxLimits, want: Want, except?: string): Promise<void> {
  await lockCapacity(tx, orgId);
  await checkCapacity(tx, orgId, limits, want, except);
}

/**
 * The first half of a claim, on its own round trip: the count after it must be a statement of
 * its own that starts once the lock is held, so its snapshot sees everything committed before.
 */
export async function lockCapacity(tx: Tx, orgId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`warren:sandbox-quota:${orgId}`}, 0))`);
}

/**
 * The second half, under the lock. A create sends it together with its own row's insert, in
 * whatever order they reach Postgres: `except` (the new row's id) leaves that row out, so the
 * count is the same either way.
 */
export async function checkCapacity(tx: Tx, orgId: string, limits: SandboxLimits, want: Want, except?: string): Promise<void> {
  const use = await orgCapacityUse(tx, orgId, except);
  if (use.sandboxes + 1 > limits.maxSandboxes) {
    throw new AppError('quota_exceeded', `Your org has reached its limit of ${limits.maxSandboxes} concurrent sandboxes; stop or delete one first`, {
      limit: 'maxSandboxes',
      max: limits.maxSandboxes,
      current: use.sandboxes,
    });
  }
  const cpuMilli = Math.round(want.cpu * 1000);
  const maxCpuMilli = Math.round(limits.maxRunningCpu * 1000);
  if (use.cpuMilli + cpuMilli > maxCpuMilli) {
    const current = use.cpuMilli / 1000;
    throw new AppError(
      'quota_exceeded',
      `Your org's running sandboxes use ${current} of its ${limits.maxRunningCpu} vCPUs; ${want.cpu} more would pass the limit`,
      { limit: 'maxRunningCpu', max: limits.maxRunningCpu, current, requested: want.cpu },
    );
  }
  if (use.memoryMb + want.memoryMb > limits.maxRunningMemoryMb) {
    throw new AppError(
      'quota_exceeded',
      `Your org's running and paused sandboxes hold ${use.memoryMb} of its ${limits.maxRunningMemoryMb} MB of memory; ${want.memoryMb} MB more would pass the limit`,
      { limit: 'maxRunningMemoryMb', max: limits.maxRunningMemoryMb, current: use.memoryMb, requested: want.memoryMb },
    );
  }
}
