import { withSandbox } from '@/lib/api/sandbox-route';
import { deleteContext, restartContext } from '@/lib/code-contexts/contexts';
import { contextIdParam } from '@/lib/schemas/code';

export const dynamic = 'force-dynamic';

/** Restart: a fresh kernel under the same id (variables and imports are gone). */
export const POST = withSandbox('sandboxes:write', async ({ scope, params }) =>
  Response.json(await restartContext(scope, params.id!, contextIdParam.parse(params.contextId))),
);

export const DELETE = withSandbox('sandboxes:write', async ({ scope, params }) => {
  await deleteContext(scope, params.id!, contextIdParam.parse(params.contextId));
  return Response.json({ ok: true });
});
