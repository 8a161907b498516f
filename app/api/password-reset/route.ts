import { parseJson, withPublic } from '@/lib/api/handler';
import { passwordResetRequestBody } from '@/lib/schemas/orgs';
import { RESET_TOKEN_MINUTES, requestPasswordReset } from '@/lib/users/password-reset';
import { clientIp } from '@/lib/users/rate-limit';

export const dynamic = 'force-dynamic';

/**
 * "Forgot password". Answers the same for every address, before the account is even looked
 * up (the mail is written in the background); only the rate limit can refuse, and it counts
 * requests, not accounts.
 */
export const POST = withPublic(async ({ req }) => {
  const { email } = await parseJson(req, passwordResetRequestBody);
  await requestPasswordReset({ email, ip: clientIp(req) });
  return Response.json(
    {
      message: `If an account uses ${email}, we sent it a link to choose a new password. The link works for ${RESET_TOKEN_MINUTES} minutes.`,
    },
    { status: 202 },
  );
});
