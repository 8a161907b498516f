import { withSandbox } from '@/lib/api/sandbox-route';
import { listExecLog } from '@/lib/sandboxes/exec';

export const dynamic = 'force-dynamic';

/** The sandbox's recent commands (newest first) with exit codes and durations. */
export const GET = withSandbox('sandboxes:read', async ({ scope, params }) => Response.json({ entries: await listExecLog(scope, params.id!) }));
