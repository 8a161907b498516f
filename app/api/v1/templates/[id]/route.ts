import { parseJson, withOrg } from '@/lib/api/handler';
import { updateTemplateBody } from '@/lib/schemas/templates';
import { deleteTemplate, getTemplate, updateTemplate } from '@/lib/templates/templates';

export const dynamic = 'force-dynamic';

export const GET = withOrg('sandboxes:read', async ({ scope, params }) => Response.json({ template: await getTemplate(scope, params.id!) }));

/** Name, description, credentials, start command; a new image takes effect with the next build. */
export const PATCH = withOrg('sandboxes:write', async ({ req, scope, params }) => {
  const body = await parseJson(req, updateTemplateBody);
  const row = await updateTemplate(scope, params.id!, body);
  return Response.json({ template: await getTemplate(scope, row.id) });
});

/** 409 while sandboxes or demo links use it. */
export const DELETE = withOrg('sandboxes:delete', async ({ scope, params }) => {
  await deleteTemplate(scope, params.id!);
  return Response.json({ ok: true });
});
