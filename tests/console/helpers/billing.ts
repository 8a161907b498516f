import { eq } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import type { UserScope } from '@/lib/auth/scope';
import { setOrgPlan } from '@/lib/billing/org-admin';
import { createPlan } from '@/lib/billing/plans';
import type { PlanFields } from '@/lib/schemas/billing';
import { makeUser, uniq } from './fixtures';

/** A platform admin (a fresh user promoted in the database, as `warren admin create` does). */
export async function makePlatformAdmin(): Promise<UserScope> {
  const u = await makeUser('Platform admin');
  const db = await getDb();
  await db.update(schema.users).set({ isPlatformAdmin: true }).where(eq(schema.users.id, u.userId));
  return { ...u, isPlatformAdmin: true };
}

let admin: Promise<UserScope> | undefined;
const anAdmin = () => {
  admin ??= makePlatformAdmin();
  return admin;
};

/** A custom plan (a copy of Free with `fields` changed), through the admin service. */
export async function makePlan(fields: Partial<PlanFields> = {}): Promise<string> {
  const id = `p-${uniq()}`;
  await createPlan(await anAdmin(), { id, ...fields });
  return id;
}

/** Moves the org to the plan, through the admin service (audited, repriced from now). */
export async function putOnPlan(orgId: string, planId: string): Promise<void> {
  await setOrgPlan(await anAdmin(), orgId, { planId });
}

/** A custom plan with `fields`, and the org on it. */
export async function planFor(orgId: string, fields: Partial<PlanFields>): Promise<string> {
  const id = await makePlan(fields);
  await putOnPlan(orgId, id);
  return id;
}
