import { parseJson, withOrg } from '@/lib/api/handler';
import { orgRequiresTwoFactor, setRequireTwoFactor } from '@/lib/orgs/two-factor-policy';
import { orgSecurityBody } from '@/lib/schemas/account';

export const dynamic = 'force-dynamic';

/** The org's sign-in policy (console settings page): whether members must use two-factor. */
export const GET = withOrg('org:read', async ({ scope }) => Response.json({ requireTwoFactor: await orgRequiresTwoFactor(scope.orgId) }));

export const PATCH = withOrg('org:security', async ({ req, scope }) => {
  const { requireTwoFactor } = await parseJson(req, orgSecurityBody);
  return Response.json(await setRequireTwoFactor(scope, requireTwoFactor));
});
