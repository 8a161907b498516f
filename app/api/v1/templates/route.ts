import { parseJson, withOrg } from '@/lib/api/handler';
import { createTemplateBody } from '@/lib/schemas/templates';
import { startBuild } from '@/lib/templates/builds';
import { contextBodyBytes } from '@/lib/templates/context';
import { createTemplate, getTemplate, listTemplates } from '@/lib/templates/templates';

export const dynamic = 'force-dynamic';

/** The built-in host template, the org's own and the platform's public ones. */
export const GET = withOrg('sandboxes:read', async ({ scope }) => Response.json({ templates: await listTemplates(scope) }));

/** Creates a template from an image or a recipe and starts its first build (202-like: the build runs on). */
export const POST = withOrg('sandboxes:write', async ({ req, scope }) => {
  const body = await parseJson(req, createTemplateBody, contextBodyBytes());
  const row = await createTemplate(scope, body);
  const build = await startBuild(scope, row);
  return Response.json({ template: await getTemplate(scope, row.id), buildId: build.id }, { status: 201 });
});
