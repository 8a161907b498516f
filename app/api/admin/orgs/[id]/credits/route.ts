import { parseJson, withPlatformAdmin } from '@/lib/api/handler';
import { adminOrg } from '@/lib/billing/admin-org';
import { grantCredit, listGrants } from '@/lib/billing/credits';
import { grantCreditBody } from '@/lib/schemas/billing';

export const dynamic = 'force-dynamic';

/** The org's credit ledger (platform admins). */
export const GET = withPlatformAdmin(async ({ params }) => Response.json({ credits: await listGrants(params.id!) }));

/** Grants credit with a reason and an optional expiry; appended to the ledger and audited. */
export const POST = withPlatformAdmin(async ({ req, scope, params }) => {
  await adminOrg(params.id!);
  return Response.json({ credit: await grantCredit(scope, params.id!, await parseJson(req, grantCreditBody)) }, { status: 201 });
});
