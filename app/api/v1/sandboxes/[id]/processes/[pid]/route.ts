import { withSandbox } from '@/lib/api/sandbox-route';
import { killProcess } from '@/lib/sandboxes/processes';
import { pidParam } from '@/lib/schemas/sandboxes';

export const dynamic = 'force-dynamic';

/** SIGKILL; killing one that already exited is not an error. */
export const DELETE = withSandbox('sandboxes:write', async ({ scope, params }) => {
  await killProcess(scope, params.id!, pidParam.parse(params.pid));
  return Response.json({ ok: true });
});
