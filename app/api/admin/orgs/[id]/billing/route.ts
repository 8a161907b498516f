import { withPlatformAdmin } from '@/lib/api/handler';
import { adminOrg } from '@/lib/billing/admin-org';
import { getBilling } from '@/lib/billing/billing-view';
import { getQuotas } from '@/lib/billing/quotas-view';

export const dynamic = 'force-dynamic';

/** An org's billing and quotas as its members see them, for the admin console. */
export const GET = withPlatformAdmin(async ({ params }) => {
  const org = await adminOrg(params.id!);
  const scope = { orgId: org.id };
  return Response.json({ org: { id: org.id, slug: org.slug, name: org.name, planId: org.planId }, billing: await getBilling(scope), quotas: await getQuotas(scope) });
});
