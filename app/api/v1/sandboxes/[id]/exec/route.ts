import { parseJson, withOrg } from '@/lib/api/handler';
import { execInSandbox, execStreamInSandbox } from '@/lib/sandboxes/exec';
import { execBody } from '@/lib/schemas/sandboxes';

const MAX_EXEC_BODY = 2 * 1024 * 1024; // stdin up to 1 MiB, plus argv and env

/** JSON result by default; `Accept: application/x-ndjson` streams start/stdout/stderr/exit events. */
export const POST = withOrg('sandboxes:write', async ({ req, scope, params }) => {
  const body = await parseJson(req, execBody, MAX_EXEC_BODY);
  if ((req.headers.get('accept') ?? '').includes('application/x-ndjson')) {
    const stream = await execStreamInSandbox(scope, params.id!, body, req.signal);
    return new Response(stream, { headers: { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store', 'x-accel-buffering': 'no' } });
  }
  return Response.json(await execInSandbox(scope, params.id!, body, req.signal));
});
