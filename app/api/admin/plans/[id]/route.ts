import { parseJson, withPlatformAdmin } from '@/lib/api/handler';
import { getPlanRow, planView, updatePlan } from '@/lib/billing/plans';
import { updatePlanBody } from '@/lib/schemas/billing';

export const dynamic = 'force-dynamic';

export const GET = withPlatformAdmin(async ({ params }) => Response.json({ plan: planView(await getPlanRow(params.id!)) }));

/** Rates, price, credit and quotas; a rate change reprices every org on the plan from now. */
export const PATCH = withPlatformAdmin(async ({ req, scope, params }) => {
  await getPlanRow(params.id!); // 404 before reading the body
  return Response.json({ plan: await updatePlan(scope, params.id!, await parseJson(req, updatePlanBody)) });
});
