import { eq, sql } from 'drizzle-orm';
import { type Db, getDb, schema } from '@/db';
import { perDbHandle } from '@/db/per-handle';
import type { OrgRow } from '@/lib/billing/standing';
import { notFound } from '@/lib/errors';
import { ratesOfPlan } from '@/lib/usage/org-rates';
import type { RateCard } from '@/lib/usage/rates';
import { type EffectiveLimits, limitsOf } from './limits';

const { orgs, plans, orgSandboxLimits } = schema;

/** What a create needs of its org's row, plan and overrides. */
export type OrgContext = { org: OrgRow; limits: EffectiveLimits; rates: RateCard };

/**
 * One statement for everything a create reads of its org: the row (default template, standing:
 * suspension, spend limit, payment method), its limits (plan and overrides) and its plan's rates
 * (pricing what is open, for the balance). Separately these were four reads, two of them one
 * after the other. Prepared once per database handle: building this select costs more CPU than
 * Postgres takes to answer it.
 */
export async function orgContext(orgId: string): Promise<OrgContext> {
  const [row] = await orgContextQuery(await getDb()).execute({ orgId });
  if (!row) throw notFound('Organization');
  const { org, plan, over } = row;
  return {
    org,
    limits: limitsOf({ planId: org.planId, plan, over }),
    // As planRates reads them: the plan's rates, the env's when the plan row is missing.
    rates: ratesOfPlan(
      plan
        ? { vcpu: plan.vcpuHourMicros, memory: plan.memoryGibHourMicros, paused: plan.pausedGibHourMicros, storage: plan.storageGibHourMicros, activeCpu: plan.activeCpuHourMicros }
        : undefined,
    ),
  };
}

const orgContextQuery = perDbHandle(buildOrgContextQuery);
function buildOrgContextQuery(db: Db) {
  return db
    .select({ org: orgs, plan: plans, over: orgSandboxLimits })
    .from(orgs)
    .leftJoin(plans, eq(plans.id, orgs.planId))
    .leftJoin(orgSandboxLimits, eq(orgSandboxLimits.orgId, orgs.id))
    .where(eq(orgs.id, sql.placeholder('orgId')))
    .prepare('create_org_context');
}
