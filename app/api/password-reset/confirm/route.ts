import { parseJson, withPublic } from '@/lib/api/handler';
import { passwordResetBody } from '@/lib/schemas/orgs';
import { resetPassword } from '@/lib/users/password-reset';

export const dynamic = 'force-dynamic';

/** Sets a new password with the token from a reset e-mail; every existing session ends. */
export const POST = withPublic(async ({ req }) => {
  await resetPassword(await parseJson(req, passwordResetBody));
  return Response.json({ ok: true });
});
