import { withUser } from '@/lib/api/handler';
import { endUserSession } from '@/lib/auth/user-sessions';

export const dynamic = 'force-dynamic';

/** Signs one of this person's sessions out (another person's session id is a 404). */
export const DELETE = withUser(async ({ scope, params }) => {
  await endUserSession(scope.userId, params.id!);
  return Response.json({ ended: 1 });
});
