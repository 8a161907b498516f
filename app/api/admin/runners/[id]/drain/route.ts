import { withPlatformAdmin } from '@/lib/api/handler';
import { drainRunner } from '@/lib/admin/runners';

export const dynamic = 'force-dynamic';

/** No new sandboxes are placed on the runner; those there keep running. Audited. */
export const POST = withPlatformAdmin(async ({ scope, params }) => Response.json({ runner: await drainRunner(scope, params.id!) }));
