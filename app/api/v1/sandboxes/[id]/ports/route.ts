import { parseJson } from '@/lib/api/handler';
import { withSandbox } from '@/lib/api/sandbox-route';
import { exposePort, listPorts } from '@/lib/sandboxes/ports';
import { exposePortBody } from '@/lib/schemas/sandboxes';

export const dynamic = 'force-dynamic';

/** Exposes a port at its preview URL; private (console session or signed token) unless public. */
export const POST = withSandbox('sandboxes:write', async ({ req, scope, params }) => {
  const body = await parseJson(req, exposePortBody);
  return Response.json(await exposePort(scope, params.id!, body.port, body.public ?? false), { status: 201 });
});

export const GET = withSandbox('sandboxes:read', async ({ scope, params }) => Response.json({ ports: await listPorts(scope, params.id!) }));
