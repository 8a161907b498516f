import { parseJson, withOrg } from '@/lib/api/handler';
import { makeDir } from '@/lib/sandboxes/files';
import { mkdirBody } from '@/lib/schemas/sandboxes';

/** mkdir -p */
export const POST = withOrg('sandboxes:write', async ({ req, scope, params }) => {
  const { path } = await parseJson(req, mkdirBody);
  await makeDir(scope, params.id!, path);
  return Response.json({ ok: true, path }, { status: 201 });
});
