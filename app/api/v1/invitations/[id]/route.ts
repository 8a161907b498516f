import { withOrg } from '@/lib/api/handler';
import { revokeInvitation } from '@/lib/invitations/invitations';
import { pathId } from '@/lib/schemas/members';

export const dynamic = 'force-dynamic';

export const DELETE = withOrg('members:invite', async ({ scope, params }) => {
  await revokeInvitation(scope, pathId(params, 'id', 'Invitation'));
  return Response.json({ revoked: true });
});
