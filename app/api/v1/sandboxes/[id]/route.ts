import { withSandbox } from '@/lib/api/sandbox-route';
import { deleteSandbox } from '@/lib/sandboxes/lifecycle';
import { getSandbox } from '@/lib/sandboxes/queries';

export const dynamic = 'force-dynamic';

export const GET = withSandbox('sandboxes:read', async ({ scope, params }) => Response.json(await getSandbox(scope, params.id!)));

export const DELETE = withSandbox('sandboxes:delete', async ({ scope, params }) => {
  await deleteSandbox(scope, params.id!);
  return Response.json({ ok: true });
});
