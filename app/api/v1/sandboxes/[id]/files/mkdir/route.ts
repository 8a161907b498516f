import { parseJson } from '@/lib/api/handler';
import { withSandbox } from '@/lib/api/sandbox-route';
import { makeDir } from '@/lib/sandboxes/files';
import { mkdirBody } from '@/lib/schemas/sandboxes';

/** mkdir -p */
export const POST = withSandbox('sandboxes:write', async ({ req, scope, params }) => {
  const { path } = await parseJson(req, mkdirBody);
  await makeDir(scope, params.id!, path);
  return Response.json({ ok: true, path }, { status: 201 });
});
