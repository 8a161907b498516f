import { withSandbox } from '@/lib/api/sandbox-route';
import { sandboxMetrics } from '@/lib/sandboxes/lifecycle';

export const dynamic = 'force-dynamic';

/** CPU seconds, memory and disk in use, process count: read live from the runner. */
export const GET = withSandbox('sandboxes:read', async ({ req, scope, params }) => Response.json(await sandboxMetrics(scope, params.id!, req.signal)));
