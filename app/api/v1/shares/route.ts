import { parseJson, withOrg } from '@/lib/api/handler';
import { createShare, listShares } from '@/lib/embeds/shares';
import { createTemplateShareBody } from '@/lib/schemas/shares';

export const dynamic = 'force-dynamic';

export const GET = withOrg('sandboxes:read', async ({ scope }) => Response.json({ shares: await listShares(scope) }));

export const POST = withOrg('sandboxes:write', async ({ req, scope }) => {
  const body = await parseJson(req, createTemplateShareBody);
  return Response.json(await createShare(scope, { ...body, mode: 'rw' }), { status: 201 });
});
