import { parseJson } from '@/lib/api/handler';
import { withSandbox } from '@/lib/api/sandbox-route';
import { createShare, listShares } from '@/lib/embeds/shares';
import { ownedSandbox } from '@/lib/sandboxes/store';
import { createSandboxShareBody } from '@/lib/schemas/shares';

export const dynamic = 'force-dynamic';

export const GET = withSandbox('sandboxes:read', async ({ scope, params }) => {
  await ownedSandbox(scope, params.id!);
  return Response.json({ shares: await listShares(scope, params.id) });
});

export const POST = withSandbox('sandboxes:write', async ({ req, scope, params }) => {
  const body = await parseJson(req, createSandboxShareBody);
  return Response.json(await createShare(scope, { ...body, sandboxId: params.id }), { status: 201 });
});
