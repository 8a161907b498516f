import { asc, eq, sql } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import { type PlanView, planView } from '@/lib/billing/plans';

const { plans, orgs } = schema;

export type AdminPlanView = PlanView & { org: { id: string; slug: string; name: string } | null; orgCount: number };

// Spelled out: drizzle renders columns in sql`` unqualified, and "id" would be orgs' own.
const onPlan = sql<number>`(select count(*) from orgs o where o.plan_id = "plans"."id")`;

/** Every plan with the org it was made for (if any) and how many orgs are on it, cheapest first. */
export async function listPlansForAdmin(): Promise<AdminPlanView[]> {
  const db = await getDb();
  const rows = await db
    .select({ plan: plans, org: { id: orgs.id, slug: orgs.slug, name: orgs.name }, orgCount: onPlan })
    .from(plans)
    .leftJoin(orgs, eq(orgs.id, plans.orgId))
    .orderBy(asc(plans.priceMicros), asc(plans.id));
  return rows.map((r) => ({ ...planView(r.plan), org: r.org?.id ? r.org : null, orgCount: Number(r.orgCount) }));
}
