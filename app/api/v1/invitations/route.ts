import { parseJson, withOrg } from '@/lib/api/handler';
import { env } from '@/lib/env';
import { createInvitation, listInvitations } from '@/lib/invitations/invitations';
import { createInvitationBody } from '@/lib/schemas/members';

export const dynamic = 'force-dynamic';

/** Pending invitations are listed to whoever may invite; the token is never listed. */
export const GET = withOrg('members:invite', async ({ scope }) =>
  Response.json({ invitations: await listInvitations(scope) }),
);

export const POST = withOrg('members:invite', async ({ req, scope }) => {
  const body = await parseJson(req, createInvitationBody);
  const { invitation, token } = await createInvitation(scope, body);
  return Response.json({ invitation, token, url: `${env().publicUrl}/invite/${token}` }, { status: 201 });
});
