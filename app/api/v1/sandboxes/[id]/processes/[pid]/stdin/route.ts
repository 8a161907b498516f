import { parseJson } from '@/lib/api/handler';
import { withSandbox } from '@/lib/api/sandbox-route';
import { processInput } from '@/lib/sandboxes/processes';
import { pidParam, processInputBody } from '@/lib/schemas/sandboxes';

export const dynamic = 'force-dynamic';

/** Writes UTF-8 `data` to a process started with `stdin: true`; `eof: true` closes its stdin. */
export const POST = withSandbox('sandboxes:write', async ({ req, scope, params }) => {
  const pid = pidParam.parse(params.pid);
  const body = await parseJson(req, processInputBody, 2 * 1024 * 1024);
  await processInput(scope, params.id!, pid, body);
  return Response.json({ ok: true });
});
