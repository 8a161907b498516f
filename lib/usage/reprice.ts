import { getDb, type Tx } from '@/db';
import { lockMeter } from './ingest';
import { cutOpenPeriods, recomputeRollups, Touched } from './periods';

/**
 * Runs a change of what orgs pay (a plan assigned, a plan's rates edited) in one transaction with
 * the meter: under its lock, the affected orgs' open periods are closed at `at` with the rates
 * in force until now and reopened, then `change` runs. Every period is thus priced with one
 * plan's rates, the ones in force when it closed, and re-running nothing changes a closed cost.
 */
export async function repricingChange<T>(orgIdsOf: (tx: Tx) => Promise<string[]>, change: (tx: Tx) => Promise<T>, at = new Date()): Promise<T> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    await lockMeter(tx);
    const touched = new Touched();
    await cutOpenPeriods(tx, await orgIdsOf(tx), at, touched);
    await recomputeRollups(tx, touched);
    return change(tx);
  });
}
