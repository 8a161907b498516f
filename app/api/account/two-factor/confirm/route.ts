import { confirmTwoFactorSetup } from '@/lib/account/two-factor';
import { parseJson, withUser } from '@/lib/api/handler';
import { twoFactorCodeBody } from '@/lib/schemas/account';

export const dynamic = 'force-dynamic';

/** The first code from the app turns two-factor on; the answer holds the recovery codes, shown this once. */
export const POST = withUser(async ({ req, scope }) => {
  const { code } = await parseJson(req, twoFactorCodeBody);
  return Response.json(await confirmTwoFactorSetup(scope.userId, scope.email, code));
});
