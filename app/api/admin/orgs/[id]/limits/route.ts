import { parseJson, withPlatformAdmin } from '@/lib/api/handler';
import { adminOrg } from '@/lib/billing/admin-org';
import { setOrgOverrides } from '@/lib/billing/org-admin';
import { orgLimitsBody } from '@/lib/schemas/billing';

export const dynamic = 'force-dynamic';

/** Per-org overrides of the plan's limits; null puts a limit back to the plan's. */
export const PATCH = withPlatformAdmin(async ({ req, scope, params }) => {
  await adminOrg(params.id!);
  return Response.json(await setOrgOverrides(scope, params.id!, await parseJson(req, orgLimitsBody)));
});
