import { parseJson, withPlatformAdmin } from '@/lib/api/handler';
import { listPlansForAdmin } from '@/lib/admin/plans';
import { createPlan } from '@/lib/billing/plans';
import { createPlanBody } from '@/lib/schemas/billing';

export const dynamic = 'force-dynamic';

/** Platform admins only; everyone else gets a 404, as if /api/admin did not exist. */
export const GET = withPlatformAdmin(async () => Response.json({ plans: await listPlansForAdmin() }));

export const POST = withPlatformAdmin(async ({ req, scope }) =>
  Response.json({ plan: await createPlan(scope, await parseJson(req, createPlanBody)) }, { status: 201 }),
);
