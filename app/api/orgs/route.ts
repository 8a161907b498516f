import { parseJson, withUser } from '@/lib/api/handler';
import { createOrg, listOrgsForUser } from '@/lib/orgs/orgs';
import { createOrgBody } from '@/lib/schemas/orgs';

export const dynamic = 'force-dynamic';

/** The signed-in person's orgs (the org switcher), and creating a new one. */
export const GET = withUser(async ({ scope }) => {
  const orgs = await listOrgsForUser(scope.userId);
  return Response.json({ orgs: orgs.map(({ id, slug, name, personal, role }) => ({ id, slug, name, personal, role })) });
});

export const POST = withUser(async ({ req, scope }) => {
  const body = await parseJson(req, createOrgBody);
  const org = await createOrg(scope, body);
  return Response.json({ org: { ...org, role: 'owner' } }, { status: 201 });
});
