import { parseJson, withOrg } from '@/lib/api/handler';
import { env } from '@/lib/env';
import { emailInvitation } from '@/lib/invitations/invitation-mail';
import { createInvitation, listInvitations } from '@/lib/invitations/invitations';
import { createInvitationBody } from '@/lib/schemas/members';

export const dynamic = 'force-dynamic';

/** Pending invitations are listed to whoever may invite; the token is never listed. */
export const GET = withOrg('members:invite', async ({ scope }) =>
  Response.json({ invitations: await listInvitations(scope) }),
);

/**
 * The link is always in the answer (shown once); an addressed invitation is also e-mailed, and
 * `mail.status` says how that went: sent, queued (retrying), failed, or outbox (no SMTP here).
 */
export const POST = withOrg('members:invite', async ({ req, scope }) => {
  const body = await parseJson(req, createInvitationBody);
  const { invitation, token } = await createInvitation(scope, body);
  const url = `${env().publicUrl}/invite/${token}`;
  const mail = invitation.email ? await emailInvitation(scope, invitation, url) : null;
  return Response.json({ invitation, token, url, mail }, { status: 201 });
});
