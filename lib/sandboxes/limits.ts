import { and, count, eq, inArray, isNull, ne, sql } from 'drizzle-orm';
import { type DbOrTx, getDb, schema, type Tx } from '@/db';
import { AppError } from '@/lib/errors';

export type SandboxLimits = {
  maxSandboxes: number;
  maxCpu: number;
  maxMemoryMb: number;
  maxDiskMb: number;
  maxTimeoutSec: number;
  /** Exposed ports per sandbox: each is a public (or token-guarded) way into it. */
  maxPortsPerSandbox: number;
};

/** What a create gets when it names nothing (bounded by the org's maxima). */
export const SANDBOX_DEFAULTS = { cpu: 1, memoryMb: 512, diskMb: 2048, timeoutSec: 900, idleTimeoutSec: 0 } as const;

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got ${raw}`);
  return n;
}

/** Defaults for every org, from the environment (documented in the README's configuration table). */
export function defaultLimits(): SandboxLimits {
  return {
    maxSandboxes: envNumber('WARREN_DEFAULT_MAX_SANDBOXES', 10),
    maxCpu: envNumber('WARREN_DEFAULT_MAX_CPU', 4),
    maxMemoryMb: envNumber('WARREN_DEFAULT_MAX_MEMORY_MB', 8192),
    maxDiskMb: envNumber('WARREN_DEFAULT_MAX_DISK_MB', 20480),
    maxTimeoutSec: envNumber('WARREN_DEFAULT_MAX_TIMEOUT_SEC', 86400),
    maxPortsPerSandbox: envNumber('WARREN_DEFAULT_MAX_PORTS', 10),
  };
}

/** The org's effective limits: its overrides row where set, the defaults elsewhere. */
export async function orgLimits(orgId: string, dbx?: DbOrTx): Promise<SandboxLimits> {
  const db = dbx ?? (await getDb());
  const [o] = await db.select().from(schema.orgSandboxLimits).where(eq(schema.orgSandboxLimits.orgId, orgId));
  const d = defaultLimits();
  return {
    maxSandboxes: o?.maxSandboxes ?? d.maxSandboxes,
    maxCpu: o?.maxCpu ?? d.maxCpu,
    maxMemoryMb: o?.maxMemoryMb ?? d.maxMemoryMb,
    maxDiskMb: o?.maxDiskMb ?? d.maxDiskMb,
    maxTimeoutSec: o?.maxTimeoutSec ?? d.maxTimeoutSec,
    maxPortsPerSandbox: o?.maxPortsPerSandbox ?? d.maxPortsPerSandbox,
  };
}

/** Sets (or clears, with null) an org's overrides; billing and the admin area call this later. */
export async function setOrgLimits(orgId: string, overrides: Partial<{ [K in keyof SandboxLimits]: number | null }>): Promise<void> {
  const db = await getDb();
  await db
    .insert(schema.orgSandboxLimits)
    .values({ orgId, ...overrides })
    .onConflictDoUpdate({ target: schema.orgSandboxLimits.orgId, set: { ...overrides, updatedAt: new Date() } });
}

/** Per-sandbox resource checks; the concurrency check lives in the create transaction. */
export function checkResources(limits: SandboxLimits, r: { cpu: number; memoryMb: number; diskMb: number; timeoutSec: number }): void {
  const over = (what: string, asked: number, max: number, unit = '') =>
    new AppError('quota_exceeded', `${what} ${asked}${unit} is over your org's limit of ${max}${unit} per sandbox`, { limit: what, max });
  if (r.cpu > limits.maxCpu) throw over('cpu', r.cpu, limits.maxCpu);
  if (r.memoryMb > limits.maxMemoryMb) throw over('memoryMb', r.memoryMb, limits.maxMemoryMb, ' MB');
  if (r.diskMb > limits.maxDiskMb) throw over('diskMb', r.diskMb, limits.maxDiskMb, ' MB');
  checkTimeout(limits, r.timeoutSec);
}

export function checkTimeout(limits: SandboxLimits, timeoutSec: number): void {
  if (timeoutSec > limits.maxTimeoutSec) {
    throw new AppError('quota_exceeded', `timeoutSec ${timeoutSec} is over your org's maximum of ${limits.maxTimeoutSec} seconds`, {
      limit: 'timeoutSec',
      max: limits.maxTimeoutSec,
    });
  }
}

/** States that hold one of the org's concurrent-sandbox slots. */
export const ACTIVE_STATES = ['creating', 'running', 'paused'] as const;

/**
 * Takes the org's concurrency lock for the rest of the transaction and refuses (429) when all
 * slots are taken, not counting `except` (a sandbox being started again). Create and start both
 * go through here, so two racing requests can never both take the last slot.
 */
export async function claimOrgSlot(tx: Tx, orgId: string, maxSandboxes: number, except?: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`warren:sandbox-quota:${orgId}`}, 0))`);
  const { sandboxes } = schema;
  const [{ n } = { n: 0 }] = await tx
    .select({ n: count() })
    .from(sandboxes)
    .where(
      and(
        eq(sandboxes.orgId, orgId),
        isNull(sandboxes.deletedAt),
        inArray(sandboxes.state, [...ACTIVE_STATES]),
        except ? ne(sandboxes.id, except) : undefined,
      ),
    );
  if (n >= maxSandboxes) {
    throw new AppError('quota_exceeded', `Your org has reached its limit of ${maxSandboxes} concurrent sandboxes; stop or delete one first`, {
      limit: 'maxSandboxes',
      max: maxSandboxes,
    });
  }
}
