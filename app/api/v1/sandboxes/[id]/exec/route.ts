import { parseJson } from '@/lib/api/handler';
import { withSandbox } from '@/lib/api/sandbox-route';
import { idempotent } from '@/lib/api/idempotency';
import { execInSandbox, execStreamInSandbox } from '@/lib/sandboxes/exec';
import { execBody } from '@/lib/schemas/sandboxes';

const MAX_EXEC_BODY = 2 * 1024 * 1024; // stdin up to 1 MiB, plus argv and env

/**
 * JSON result by default; `Accept: application/x-ndjson` streams start/stdout/stderr/exit events.
 * With an `Idempotency-Key` (JSON mode), a retried exec returns the first run's result.
 */
export const POST = withSandbox('sandboxes:write', async ({ req, scope, params }) => {
  if ((req.headers.get('accept') ?? '').includes('application/x-ndjson')) {
    const body = await parseJson(req, execBody, MAX_EXEC_BODY);
    const stream = await execStreamInSandbox(scope, params.id!, body, req.signal);
    return new Response(stream, { headers: { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store', 'x-accel-buffering': 'no' } });
  }
  return idempotent(
    req,
    scope,
    async () => {
      const body = await parseJson(req, execBody, MAX_EXEC_BODY);
      return Response.json(await execInSandbox(scope, params.id!, body, req.signal));
    },
    MAX_EXEC_BODY,
  );
});
