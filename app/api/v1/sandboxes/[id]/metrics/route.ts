import { parseQuery } from '@/lib/api/handler';
import { withSandbox } from '@/lib/api/sandbox-route';
import { metricsQuery } from '@/lib/schemas/sandboxes';
import { sandboxMetrics } from '@/lib/sandboxes/lifecycle';

export const dynamic = 'force-dynamic';

/** CPU seconds, memory and disk in use, process count, read live from the runner; with its recent history. */
export const GET = withSandbox('sandboxes:read', async ({ req, scope, params }) => {
  const { since } = parseQuery(req, metricsQuery);
  return Response.json(await sandboxMetrics(scope, params.id!, req.signal, since));
});
