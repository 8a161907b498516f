import { parseJson, withUser } from '@/lib/api/handler';
import { acceptInvitation } from '@/lib/invitations/invitations';
import { acceptInvitationBody } from '@/lib/schemas/members';

export const dynamic = 'force-dynamic';

export const POST = withUser(async ({ req, scope }) => {
  const { token } = await parseJson(req, acceptInvitationBody);
  return Response.json(await acceptInvitation(scope, token));
});
