import { parseJson, withPlatformAdmin } from '@/lib/api/handler';
import { adminOrg } from '@/lib/billing/admin-org';
import { suspendOrg } from '@/lib/billing/suspension';
import { suspendBody } from '@/lib/schemas/billing';

export const dynamic = 'force-dynamic';

/** Suspends the org with a reason: its API answers 403 and its sandboxes are stopped (kept). */
export const POST = withPlatformAdmin(async ({ req, scope, params }) => {
  await adminOrg(params.id!);
  return Response.json(await suspendOrg(scope, params.id!, await parseJson(req, suspendBody)));
});
