import { parseJson } from '@/lib/api/handler';
import { withSandbox } from '@/lib/api/sandbox-route';
import { unexposePort, updatePort } from '@/lib/sandboxes/ports';
import { portNumber, updatePortBody } from '@/lib/schemas/sandboxes';

/** Switches a port between public and private. */
export const PATCH = withSandbox('sandboxes:write', async ({ req, scope, params }) => {
  const port = portNumber.parse(params.port);
  const body = await parseJson(req, updatePortBody);
  return Response.json(await updatePort(scope, params.id!, port, body.public));
});

export const DELETE = withSandbox('sandboxes:write', async ({ scope, params }) => {
  await unexposePort(scope, params.id!, portNumber.parse(params.port));
  return Response.json({ ok: true });
});
