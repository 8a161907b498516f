import { parseJson, withOrg } from '@/lib/api/handler';
import { deleteOrg, getOrg, updateOrg } from '@/lib/orgs/orgs';
import { deleteOrgBody, updateOrgBody } from '@/lib/schemas/orgs';

export const dynamic = 'force-dynamic';

/** The caller's org (the API key's, or the one named by x-warren-org) and their role in it. */
export const GET = withOrg('org:read', async ({ scope }) => Response.json({ org: await getOrg(scope), role: scope.role }));

export const PATCH = withOrg('org:update', async ({ req, scope }) => {
  const body = await parseJson(req, updateOrgBody);
  return Response.json({ org: await updateOrg(scope, body) });
});

export const DELETE = withOrg('org:delete', async ({ req, scope }) => {
  const body = await parseJson(req, deleteOrgBody);
  return Response.json({ deleted: await deleteOrg(scope, body) });
});
