import { eq } from 'drizzle-orm';
import { type DbOrTx, getDb, schema } from '@/db';
import { envLimits, type PlanLimits } from '@/lib/billing/plan-defaults';
import { AppError } from '@/lib/errors';
import { forgetOrgGates } from '@/lib/billing/org-gate-cache';

export type SandboxLimits = PlanLimits;
export type LimitName = keyof SandboxLimits;
/** Where an effective limit comes from: the org's plan, a per-org override, or the env
 * defaults (only when the org's plan row is missing). */
export type LimitSource = 'plan' | 'override' | 'default';

export const LIMIT_NAMES: LimitName[] = [
  'maxSandboxes',
  'maxRunningCpu',
  'maxRunningMemoryMb',
  'maxCpu',
  'maxMemoryMb',
  'maxDiskMb',
  'maxTimeoutSec',
  'maxSnapshotBytes',
  'maxTemplates',
  'apiRequestsPerMinute',
  'maxPortsPerSandbox',
];

/** What a create gets when it names nothing (bounded by the org's maxima). */
export const SANDBOX_DEFAULTS = { cpu: 1, memoryMb: 512, diskMb: 2048, timeoutSec: 900, idleTimeoutSec: 0 } as const;

/** Kept for callers that want the env defaults alone. */
export const defaultLimits = envLimits;

export type EffectiveLimits = {
  limits: SandboxLimits;
  sources: Record<LimitName, LimitSource>;
  /** `requiredIsolation`: the plan's (no per-org override); null: any level. */
  plan: { id: string; name: string; requiredIsolation: 'gvisor' | null };
};

/** The org's limits, one query: its overrides where set, else its plan's, else the env's. */
export async function effectiveLimits(orgId: string, dbx?: DbOrTx): Promise<EffectiveLimits> {
  const db = dbx ?? (await getDb());
  const { orgs, plans, orgSandboxLimits } = schema;
  const [row] = await db
    .select({ planId: orgs.planId, plan: plans, over: orgSandboxLimits })
    .from(orgs)
    .leftJoin(plans, eq(plans.id, orgs.planId))
    .leftJoin(orgSandboxLimits, eq(orgSandboxLimits.orgId, orgs.id))
    .where(eq(orgs.id, orgId));
  return limitsOf(row);
}

type PlanRow = typeof schema.plans.$inferSelect;
type OverridesRow = typeof schema.orgSandboxLimits.$inferSelect;

/** The effective limits from an org's plan and override rows (read by the caller, with anything else it needs of them). */
export function limitsOf(row: { planId: string; plan: PlanRow | null; over: OverridesRow | null } | undefined): EffectiveLimits {
  const fallback = envLimits();
  const limits = {} as SandboxLimits;
  const sources = {} as Record<LimitName, LimitSource>;
  for (const name of LIMIT_NAMES) {
    const over = row?.over?.[name];
    const fromPlan = row?.plan?.[name];
    if (over !== null && over !== undefined) [limits[name], sources[name]] = [over, 'override'];
    else if (fromPlan !== undefined) [limits[name], sources[name]] = [fromPlan, 'plan'];
    else [limits[name], sources[name]] = [fallback[name], 'default'];
  }
  return {
    limits,
    sources,
    plan: { id: row?.plan?.id ?? row?.planId ?? 'free', name: row?.plan?.name ?? 'Free', requiredIsolation: row?.plan?.requiredIsolation ?? null },
  };
}

export async function orgLimits(orgId: string, dbx?: DbOrTx): Promise<SandboxLimits> {
  return (await effectiveLimits(orgId, dbx)).limits;
}

/** Sets (or clears, with null) an org's overrides; lib/billing/overrides.ts is the audited way. */
export async function setOrgLimits(orgId: string, overrides: Partial<{ [K in LimitName]: number | null }>, dbx?: DbOrTx): Promise<void> {
  const db = dbx ?? (await getDb());
  await db
    .insert(schema.orgSandboxLimits)
    .values({ orgId, ...overrides })
    .onConflictDoUpdate({ target: schema.orgSandboxLimits.orgId, set: { ...overrides, updatedAt: new Date() } });
  forgetOrgGates(); // the API rate limit may have changed
}

const quota = (limit: LimitName, message: string, max: number, current: number, requested?: number) =>
  new AppError('quota_exceeded', message, { limit, max, current, ...(requested !== undefined ? { requested } : {}) });

/** Per-sandbox maxima, checked on create and again on start and resume (a plan may shrink). */
export function checkResources(limits: SandboxLimits, r: { cpu: number; memoryMb: number; diskMb: number; timeoutSec: number }): void {
  const over = (what: LimitName, field: string, asked: number, max: number, unit = '') =>
    quota(what, `${field} ${asked}${unit} is over your org's limit of ${max}${unit} per sandbox`, max, asked, asked);
  if (r.cpu > limits.maxCpu) throw over('maxCpu', 'cpu', r.cpu, limits.maxCpu);
  if (r.memoryMb > limits.maxMemoryMb) throw over('maxMemoryMb', 'memoryMb', r.memoryMb, limits.maxMemoryMb, ' MB');
  if (r.diskMb > limits.maxDiskMb) throw over('maxDiskMb', 'diskMb', r.diskMb, limits.maxDiskMb, ' MB');
  checkTimeout(limits, r.timeoutSec);
}

export function checkTimeout(limits: SandboxLimits, timeoutSec: number): void {
  if (timeoutSec > limits.maxTimeoutSec) {
    throw quota('maxTimeoutSec', `timeoutSec ${timeoutSec} is over your org's maximum of ${limits.maxTimeoutSec} seconds`, limits.maxTimeoutSec, timeoutSec, timeoutSec);
  }
}

export { ACTIVE_STATES, claimCapacity, orgCapacityUse } from './capacity';
