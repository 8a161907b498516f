import { parseJson } from '@/lib/api/handler';
import { withSandbox } from '@/lib/api/sandbox-route';
import { listProcesses, startProcess } from '@/lib/sandboxes/processes';
import { startProcessBody } from '@/lib/schemas/sandboxes';

export const dynamic = 'force-dynamic';

/** Starts a background process: it outlives this request (follow it at …/processes/:pid/output). */
export const POST = withSandbox('sandboxes:write', async ({ req, scope, params }) => {
  const body = await parseJson(req, startProcessBody);
  return Response.json(await startProcess(scope, params.id!, body), { status: 201 });
});

export const GET = withSandbox('sandboxes:read', async ({ scope, params }) => Response.json({ processes: await listProcesses(scope, params.id!) }));
