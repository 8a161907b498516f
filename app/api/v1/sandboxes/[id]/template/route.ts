import { parseJson, withOrg } from '@/lib/api/handler';
import { saveAsTemplateBody } from '@/lib/schemas/templates';
import { saveSandboxAsTemplate } from '@/lib/templates/from-snapshot';
import { getTemplate } from '@/lib/templates/templates';

export const dynamic = 'force-dynamic';

/** Saves the sandbox's files as they are now as a template (through a snapshot the template keeps). */
export const POST = withOrg('sandboxes:write', async ({ req, scope, params }) => {
  const body = await parseJson(req, saveAsTemplateBody);
  const row = await saveSandboxAsTemplate(scope, params.id!, body);
  return Response.json({ template: await getTemplate(scope, row.id) }, { status: 201 });
});
