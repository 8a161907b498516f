import { withSandbox } from '@/lib/api/sandbox-route';
import { sandboxUsage } from '@/lib/usage/sandbox-usage';

export const dynamic = 'force-dynamic';

/** One sandbox's usage and cost since it was created, by kind (deleted sandboxes too). */
export const GET = withSandbox('usage:read', async ({ scope, params }) => Response.json(await sandboxUsage(scope, params.id!)));
