import { defaultPlans } from '@/lib/billing/plan-defaults';
import type { Db } from './index';
import { plans } from './schema/billing';

/**
 * Seeds Free, Pro and Team right after the migrations, in the same start-up step (under the
 * migration lock on Postgres): every process that opens the database finds them, and orgs
 * created before plans existed (plan_id defaults to 'free') have one. A SQL migration cannot do
 * this because the seed follows the env rate card. Idempotent: existing plans are never touched.
 */
export async function seedPlans(db: Db): Promise<void> {
  await db.insert(plans).values(defaultPlans()).onConflictDoNothing();
}
