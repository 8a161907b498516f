import { parseJson, withOrg } from '@/lib/api/handler';
import { changeMemberRole, removeMember } from '@/lib/members/members';
import { changeRoleBody, pathId } from '@/lib/schemas/members';

export const dynamic = 'force-dynamic';

export const PATCH = withOrg('members:update', async ({ req, scope, params }) => {
  const userId = pathId(params, 'userId', 'Member');
  const { role } = await parseJson(req, changeRoleBody);
  return Response.json({ member: await changeMemberRole(scope, userId, role) });
});

/** Removing yourself is leaving, which every role may do: the service checks members:remove
 * for everyone else, so the route itself only needs org:read. */
export const DELETE = withOrg('org:read', async ({ scope, params }) => {
  const userId = pathId(params, 'userId', 'Member');
  return Response.json(await removeMember(scope, userId));
});
