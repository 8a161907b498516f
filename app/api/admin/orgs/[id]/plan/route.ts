import { parseJson, withPlatformAdmin } from '@/lib/api/handler';
import { adminOrg } from '@/lib/billing/admin-org';
import { setOrgPlan } from '@/lib/billing/org-admin';
import { assignPlanBody } from '@/lib/schemas/billing';

export const dynamic = 'force-dynamic';

/** Moves the org to another plan: limits at once, rates from now on. */
export const POST = withPlatformAdmin(async ({ req, scope, params }) => {
  await adminOrg(params.id!);
  return Response.json(await setOrgPlan(scope, params.id!, await parseJson(req, assignPlanBody)));
});
