import type { plans } from '@/db/schema/billing';
import { rateCard } from '@/lib/usage/rates';

/**
 * The limits every org had before plans existed, from the environment. They seed the Free plan
 * (db/seed-plans.ts) and stand in when an org's plan row is missing. No database here: the
 * seed runs inside the database's own start-up, so this module must not import it.
 */
export type PlanLimits = {
  maxSandboxes: number;
  maxRunningCpu: number;
  maxRunningMemoryMb: number;
  maxCpu: number;
  maxMemoryMb: number;
  maxDiskMb: number;
  maxTimeoutSec: number;
  maxSnapshotBytes: number;
  maxTemplates: number;
  apiRequestsPerMinute: number;
  /** Exposed ports per sandbox: each is a public (or token-guarded) way into it. */
  maxPortsPerSandbox: number;
};

function envNumber(name: string, fallback: number, integer = false): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) throw new Error(`${name} must be a positive ${integer ? 'integer' : 'number'}, got ${raw}`);
  return n;
}

const MIB = 1024 * 1024;

/** Defaults for every org, from the environment (documented in the README's configuration table). */
export function envLimits(): PlanLimits {
  return {
    maxSandboxes: envNumber('WARREN_DEFAULT_MAX_SANDBOXES', 10, true),
    maxRunningCpu: envNumber('WARREN_DEFAULT_MAX_RUNNING_CPU', 16),
    maxRunningMemoryMb: envNumber('WARREN_DEFAULT_MAX_RUNNING_MEMORY_MB', 32768, true),
    maxCpu: envNumber('WARREN_DEFAULT_MAX_CPU', 4),
    maxMemoryMb: envNumber('WARREN_DEFAULT_MAX_MEMORY_MB', 8192, true),
    maxDiskMb: envNumber('WARREN_DEFAULT_MAX_DISK_MB', 20480, true),
    maxTimeoutSec: envNumber('WARREN_DEFAULT_MAX_TIMEOUT_SEC', 86400, true),
    maxSnapshotBytes: envNumber('WARREN_DEFAULT_MAX_SNAPSHOT_MB', 10240, true) * MIB,
    maxTemplates: envNumber('WARREN_DEFAULT_MAX_TEMPLATES', 5, true),
    apiRequestsPerMinute: envNumber('WARREN_DEFAULT_API_RPM', 600, true),
    maxPortsPerSandbox: envNumber('WARREN_DEFAULT_MAX_PORTS', 10, true),
  };
}

export type PlanRow = typeof plans.$inferSelect;
// Stripe prices are set by platform admins (PATCH /api/admin/plans/:id), never seeded; seeded plans are for everyone.
// Required isolation is a platform admin's choice too (null by default: any level).
type PlanSeed = Omit<PlanRow, 'createdAt' | 'updatedAt' | 'stripePriceId' | 'orgId' | 'requiredIsolation'>;

const GIB = 1024 * MIB;
const USD = 1_000_000;

/**
 * Free (the env defaults, a monthly credit that refreshes each month), Pro and Team (larger
 * quotas, a price and the same amount of included credit). All three price usage with the env
 * rate card. Seeded once: later edits go through the admin API, never back to these values.
 */
export function defaultPlans(): PlanSeed[] {
  const r = rateCard();
  const rates = {
    vcpuHourMicros: Number(r.vcpuHour),
    memoryGibHourMicros: Number(r.memoryGibHour),
    pausedGibHourMicros: Number(r.pausedGibHour),
    storageGibHourMicros: Number(r.storageGibHour),
    activeCpuHourMicros: Number(r.activeCpuHour),
  };
  const freeCredit = envNumber('WARREN_FREE_MONTHLY_CREDIT_MICROS', 5 * USD, true);
  return [
    { id: 'free', name: 'Free', custom: false, priceMicros: 0, monthlyCreditMicros: freeCredit, ...rates, ...envLimits() },
    {
      id: 'pro',
      name: 'Pro',
      custom: false,
      priceMicros: 20 * USD,
      monthlyCreditMicros: 20 * USD,
      ...rates,
      maxSandboxes: 50,
      maxRunningCpu: 64,
      maxRunningMemoryMb: 131072,
      maxCpu: 8,
      maxMemoryMb: 16384,
      maxDiskMb: 51200,
      maxTimeoutSec: 86400,
      maxSnapshotBytes: 50 * GIB,
      maxTemplates: 20,
      apiRequestsPerMinute: 3000,
      maxPortsPerSandbox: 20,
    },
    {
      id: 'team',
      name: 'Team',
      custom: false,
      priceMicros: 100 * USD,
      monthlyCreditMicros: 100 * USD,
      ...rates,
      maxSandboxes: 200,
      maxRunningCpu: 256,
      maxRunningMemoryMb: 524288,
      maxCpu: 16,
      maxMemoryMb: 32768,
      maxDiskMb: 102400,
      maxTimeoutSec: 86400,
      maxSnapshotBytes: 200 * GIB,
      maxTemplates: 100,
      apiRequestsPerMinute: 10000,
      maxPortsPerSandbox: 50,
    },
  ];
}
