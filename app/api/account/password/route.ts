import { currentSessionId } from '@/lib/account/current-session';
import { changePassword } from '@/lib/account/password-change';
import { parseJson, withUser } from '@/lib/api/handler';
import { changePasswordBody } from '@/lib/schemas/account';

export const dynamic = 'force-dynamic';

/** Changes the signed-in person's password; every other session of theirs ends. */
export const POST = withUser(async ({ req, scope }) => {
  const body = await parseJson(req, changePasswordBody);
  const result = await changePassword({ userId: scope.userId, sessionId: await currentSessionId(req), current: body.currentPassword, next: body.newPassword });
  return Response.json(result);
});
