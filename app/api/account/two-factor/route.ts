import { beginTwoFactorSetup, disableTwoFactor, twoFactorStatus } from '@/lib/account/two-factor';
import { parseJson, withUser } from '@/lib/api/handler';
import { twoFactorCodeBody } from '@/lib/schemas/account';

export const dynamic = 'force-dynamic';

export const GET = withUser(async ({ scope }) => Response.json(await twoFactorStatus(scope.userId)));

/** Starts setup: a new secret (pending until confirmed) as an otpauth:// URI and its QR code. */
export const POST = withUser(async ({ scope }) => Response.json(await beginTwoFactorSetup(scope.userId, scope.email)));

/** Turns two-factor off; needs a current code (or a recovery code). */
export const DELETE = withUser(async ({ req, scope }) => {
  const { code } = await parseJson(req, twoFactorCodeBody);
  await disableTwoFactor(scope.userId, scope.email, code);
  return Response.json(await twoFactorStatus(scope.userId));
});
