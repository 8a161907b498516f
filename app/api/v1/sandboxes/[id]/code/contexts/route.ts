import { parseJson } from '@/lib/api/handler';
import { withSandbox } from '@/lib/api/sandbox-route';
import { createContext, listContexts } from '@/lib/code-contexts/contexts';
import { createContextBody } from '@/lib/schemas/code';

export const dynamic = 'force-dynamic';

export const GET = withSandbox('sandboxes:read', async ({ scope, params }) => Response.json({ contexts: await listContexts(scope, params.id!) }));

export const POST = withSandbox('sandboxes:write', async ({ req, scope, params }) => {
  const body = await parseJson(req, createContextBody);
  const { pid: _pid, ...context } = await createContext(scope, params.id!, body.language);
  return Response.json(context, { status: 201 });
});
