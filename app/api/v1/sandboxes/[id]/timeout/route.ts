import { parseJson } from '@/lib/api/handler';
import { withSandbox } from '@/lib/api/sandbox-route';
import { setSandboxTimeout } from '@/lib/sandboxes/lifecycle';
import { timeoutBody } from '@/lib/schemas/sandboxes';

/** Sets the hard TTL to `timeoutSec` from now (at most the org's maximum). */
export const POST = withSandbox('sandboxes:write', async ({ req, scope, params }) => {
  const { timeoutSec } = await parseJson(req, timeoutBody);
  return Response.json(await setSandboxTimeout(scope, params.id!, timeoutSec));
});
