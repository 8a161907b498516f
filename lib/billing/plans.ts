import { and, asc, eq, ne, or } from 'drizzle-orm';
import { getDb, schema, type Tx } from '@/db';
import { actorFromUser, recordAudit } from '@/lib/audit/audit';
import type { UserScope } from '@/lib/auth/scope';
import { ZodError } from 'zod';
import { conflict, notFound } from '@/lib/errors';
import { createPlanBody, PLAN_ID_RE, type PlanFields, updatePlanBody } from '@/lib/schemas/billing';
import { repricingChange } from '@/lib/usage/reprice';
import type { PlanRow } from './plan-defaults';
import { forgetOrgGates } from './org-gate-cache';

const { plans, orgs } = schema;

/** A plan as the API shows it: money in micro-dollars, rates per hour, quotas. */
export function planView(p: PlanRow) {
  return {
    id: p.id,
    name: p.name,
    custom: p.custom,
    orgId: p.orgId,
    priceMicros: p.priceMicros,
    monthlyCreditMicros: p.monthlyCreditMicros,
    rates: {
      vcpuHourMicros: p.vcpuHourMicros,
      memoryGibHourMicros: p.memoryGibHourMicros,
      pausedGibHourMicros: p.pausedGibHourMicros,
      storageGibHourMicros: p.storageGibHourMicros,
      activeCpuHourMicros: p.activeCpuHourMicros,
    },
    limits: {
      maxSandboxes: p.maxSandboxes,
      maxRunningCpu: p.maxRunningCpu,
      maxRunningMemoryMb: p.maxRunningMemoryMb,
      maxCpu: p.maxCpu,
      maxMemoryMb: p.maxMemoryMb,
      maxDiskMb: p.maxDiskMb,
      maxTimeoutSec: p.maxTimeoutSec,
      maxSnapshotBytes: p.maxSnapshotBytes,
      maxTemplates: p.maxTemplates,
      apiRequestsPerMinute: p.apiRequestsPerMinute,
      maxPortsPerSandbox: p.maxPortsPerSandbox,
    },
    /** `gvisor`: the plan's orgs may only run gVisor sandboxes; null: any level. */
    requiredIsolation: p.requiredIsolation,
    stripePriceId: p.stripePriceId,
    updatedAt: p.updatedAt.toISOString(),
  };
}
export type PlanView = ReturnType<typeof planView>;

export async function listPlans(): Promise<PlanView[]> {
  const db = await getDb();
  return (await db.select().from(plans).orderBy(asc(plans.priceMicros), asc(plans.id))).map(planView);
}

export async function getPlanRow(id: string): Promise<PlanRow> {
  if (!PLAN_ID_RE.test(id)) throw notFound('Plan');
  const db = await getDb();
  const [p] = await db.select().from(plans).where(eq(plans.id, id));
  if (!p) throw notFound('Plan');
  return p;
}

const RATE_FIELDS = ['vcpuHourMicros', 'memoryGibHourMicros', 'pausedGibHourMicros', 'storageGibHourMicros', 'activeCpuHourMicros'] as const;

/** A new plan (custom by default: assigned to particular orgs), copying what it leaves out. */
export async function createPlan(admin: UserScope, input: unknown): Promise<PlanView> {
  const { id, basedOn, org, ...fields } = createPlanBody.parse(input);
  const base = await getPlanRow(basedOn ?? 'free');
  // A Stripe price names one plan (webhooks map it back): a copy never inherits it. A copy is for
  // the org named here, or for none: never for the base plan's org by accident.
  const { createdAt: _c, updatedAt: _u, stripePriceId: _s, orgId: _o, ...copied } = base;
  const orgId = org ? await orgIdOf(org) : null;
  const db = await getDb();
  return db.transaction(async (tx) => {
    await assertPriceFree(tx, fields.stripePriceId, id);
    const [row] = await tx
      .insert(plans)
      .values({ ...copied, custom: true, ...stripUndefined(fields), id, orgId: orgId ?? null })
      .onConflictDoNothing({ target: plans.id })
      .returning();
    if (!row) throw conflict(`A plan with the id ${id} already exists`);
    await recordAudit(actorFromUser(admin, null), 'plan.create', { type: 'plan', id }, { basedOn: base.id, ...(orgId ? { orgId } : {}), ...stripUndefined(fields) }, tx);
    return planView(row);
  });
}

/**
 * Edits a plan. When its rates change, the open periods of every org on it are cut now (under
 * the meter's lock, in the same transaction), so time before the edit keeps the old price.
 * Limits apply to the next check; monthly credit to the next month's grant.
 */
export async function updatePlan(admin: UserScope, id: string, input: unknown): Promise<PlanView> {
  const patch = stripUndefined(updatePlanBody.parse(input)) as Partial<PlanFields>;
  const before = await getPlanRow(id);
  const ratesChange = RATE_FIELDS.some((k) => patch[k] !== undefined && patch[k] !== before[k]);
  const orgsOnPlan = async (tx: Parameters<Parameters<typeof repricingChange>[0]>[0]) =>
    ratesChange ? (await tx.select({ id: orgs.id }).from(orgs).where(eq(orgs.planId, id))).map((o) => o.id) : [];
  return repricingChange(orgsOnPlan, async (tx) => {
    await assertPriceFree(tx, patch.stripePriceId, id);
    const [row] = await tx.update(plans).set({ ...patch, updatedAt: new Date() }).where(eq(plans.id, id)).returning();
    if (!row) throw notFound('Plan');
    const changes = Object.fromEntries(
      Object.entries(patch)
        .filter(([k, v]) => before[k as keyof PlanFields] !== v)
        .map(([k, v]) => [k, { from: before[k as keyof PlanFields], to: v }]),
    );
    await recordAudit(actorFromUser(admin, null), 'plan.update', { type: 'plan', id }, changes, tx);
    forgetOrgGates(); // the API rate limit may have changed
    return planView(row);
  });
}

/** One Stripe price sells one plan: another plan's price is a 409 (checked in the transaction that writes it). */
async function assertPriceFree(tx: Tx, price: string | null | undefined, id: string): Promise<void> {
  if (!price) return;
  const [other] = await tx.select({ id: plans.id }).from(plans).where(and(eq(plans.stripePriceId, price), ne(plans.id, id)));
  if (other) throw conflict(`The Stripe price ${price} already sells the ${other.id} plan`);
}

/** The org a plan is made for, by id or URL name; as a field error, so the form shows it beside the field. */
async function orgIdOf(org: string): Promise<string> {
  const db = await getDb();
  const [row] = await db.select({ id: orgs.id }).from(orgs).where(or(eq(orgs.id, org), eq(orgs.slug, org)));
  if (!row) throw new ZodError([{ code: 'custom', path: ['org'], message: 'No organization has this id or URL name', input: org }]);
  return row.id;
}

function stripUndefined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
