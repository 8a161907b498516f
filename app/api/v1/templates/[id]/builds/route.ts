import { parseJson, withOrg } from '@/lib/api/handler';
import { rebuildBody } from '@/lib/schemas/templates';
import { contextBodyBytes } from '@/lib/templates/context';
import { buildView, listBuilds, startBuild } from '@/lib/templates/builds';
import { findTemplate, setTemplateContext } from '@/lib/templates/templates';

export const dynamic = 'force-dynamic';

/** Build history, newest first (the last 100). */
export const GET = withOrg('sandboxes:read', async ({ scope, params }) => Response.json({ builds: await listBuilds(scope, params.id!) }));

/** Rebuild: pulls the image again (a moved tag is a new version); a recipe reuses its cached steps. */
export const POST = withOrg('sandboxes:write', async ({ req, scope, params }) => {
  const body = await parseJson(req, rebuildBody, contextBodyBytes());
  let row = await findTemplate(scope, params.id!, true);
  if (body.contextBase64 !== undefined) row = await setTemplateContext(scope, row, body.contextBase64);
  return Response.json({ build: buildView(await startBuild(scope, row)) }, { status: 202 });
});
