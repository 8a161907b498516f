import { parseJson, withOrg } from '@/lib/api/handler';
import { saveAsTemplateBody } from '@/lib/schemas/templates';
import { saveSnapshotAsTemplate } from '@/lib/templates/from-snapshot';
import { getTemplate } from '@/lib/templates/templates';

export const dynamic = 'force-dynamic';

/** Saves the snapshot as a template of the org: new sandboxes from it start on its files. */
export const POST = withOrg('sandboxes:write', async ({ req, scope, params }) => {
  const body = await parseJson(req, saveAsTemplateBody);
  const row = await saveSnapshotAsTemplate(scope, params.id!, body);
  return Response.json({ template: await getTemplate(scope, row.id) }, { status: 201 });
});
