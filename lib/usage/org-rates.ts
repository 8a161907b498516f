import { eq } from 'drizzle-orm';
import { type DbOrTx, schema } from '@/db';
import { type RateCard, rateCard } from './rates';

const { orgs, plans } = schema;

/** The rate card of the org's plan now (the env's if the plan row is missing). */
export async function planRates(db: DbOrTx, orgId: string): Promise<RateCard> {
  const [p] = await db
    .select({
      vcpu: plans.vcpuHourMicros,
      memory: plans.memoryGibHourMicros,
      paused: plans.pausedGibHourMicros,
      storage: plans.storageGibHourMicros,
      activeCpu: plans.activeCpuHourMicros,
    })
    .from(orgs)
    .innerJoin(plans, eq(plans.id, orgs.planId))
    .where(eq(orgs.id, orgId));
  return ratesOfPlan(p);
}

type PlanRateColumns = { vcpu: number | string; memory: number | string; paused: number | string; storage: number | string; activeCpu: number | string };

/** A plan row's rates as a rate card; the env's when the org has no plan row (planRates' fallback,
 * shared with the sandbox list, which reads the plan's rates in its own statement). */
export function ratesOfPlan(p: PlanRateColumns | undefined): RateCard {
  if (!p) return rateCard();
  return { vcpuHour: BigInt(p.vcpu), memoryGibHour: BigInt(p.memory), pausedGibHour: BigInt(p.paused), storageGibHour: BigInt(p.storage), activeCpuHour: BigInt(p.activeCpu) };
}

/**
 * Rates per org, looked up once per transaction (or per call, for `newRatesMemo`). Keyed by the
 * transaction object: a page of journal events prices many periods of few orgs, and a plan
 * change takes the meter's lock, so rates cannot change under a transaction that holds it.
 */
const perTx = new WeakMap<object, Map<string, Promise<RateCard>>>();

export function ratesIn(tx: DbOrTx, orgId: string): Promise<RateCard> {
  let memo = perTx.get(tx);
  if (!memo) {
    memo = new Map();
    perTx.set(tx, memo);
  }
  if (!memo.has(orgId)) memo.set(orgId, planRates(tx, orgId));
  return memo.get(orgId)!;
}

/** A memo for one read (live pieces, burn rate): rates as they are now, per org. */
export function newRatesMemo(db: DbOrTx) {
  const memo = new Map<string, Promise<RateCard>>();
  return (orgId: string) => {
    if (!memo.has(orgId)) memo.set(orgId, planRates(db, orgId));
    return memo.get(orgId)!;
  };
}
