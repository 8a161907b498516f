import { parseJson, withOrg } from '@/lib/api/handler';
import { defaultTemplateBody } from '@/lib/schemas/templates';
import { setDefaultTemplate } from '@/lib/templates/templates';

export const dynamic = 'force-dynamic';

/** The template a create that names none uses (`null` or `default`: the built-in one). */
export const PUT = withOrg('org:update', async ({ req, scope }) => {
  const body = await parseJson(req, defaultTemplateBody);
  return Response.json({ defaultTemplate: await setDefaultTemplate(scope, body.template) });
});
