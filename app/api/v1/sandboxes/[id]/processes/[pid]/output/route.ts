import { withSandbox } from '@/lib/api/sandbox-route';
import { processOutput } from '@/lib/sandboxes/processes';
import { pidParam } from '@/lib/schemas/sandboxes';

export const dynamic = 'force-dynamic';

/** NDJSON: the recent output replayed, then live, then `exit`. Hanging up leaves the process running. */
export const GET = withSandbox('sandboxes:read', async ({ req, scope, params }) => {
  const stream = await processOutput(scope, params.id!, pidParam.parse(params.pid), req.signal);
  return new Response(stream, { headers: { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store', 'x-accel-buffering': 'no' } });
});
