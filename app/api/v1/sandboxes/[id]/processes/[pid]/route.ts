import { parseQuery } from '@/lib/api/handler';
import { withSandbox } from '@/lib/api/sandbox-route';
import { killProcess } from '@/lib/sandboxes/processes';
import { killSignalQuery, pidParam } from '@/lib/schemas/sandboxes';

export const dynamic = 'force-dynamic';

/** SIGKILL, or `?signal=SIGTERM` (and the usual few) to the process group; killing one that already exited is not an error. */
export const DELETE = withSandbox('sandboxes:write', async ({ req, scope, params }) => {
  const { signal } = parseQuery(req, killSignalQuery);
  await killProcess(scope, params.id!, pidParam.parse(params.pid), signal);
  return Response.json({ ok: true });
});
