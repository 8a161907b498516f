import { regenerateRecoveryCodes } from '@/lib/account/two-factor';
import { parseJson, withUser } from '@/lib/api/handler';
import { twoFactorCodeBody } from '@/lib/schemas/account';

export const dynamic = 'force-dynamic';

/** New recovery codes (the old ones stop working), shown this once; needs a current code. */
export const POST = withUser(async ({ req, scope }) => {
  const { code } = await parseJson(req, twoFactorCodeBody);
  return Response.json({ recoveryCodes: await regenerateRecoveryCodes(scope.userId, scope.email, code) });
});
