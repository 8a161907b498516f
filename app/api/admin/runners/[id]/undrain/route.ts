import { withPlatformAdmin } from '@/lib/api/handler';
import { undrainRunner } from '@/lib/admin/runners';

export const dynamic = 'force-dynamic';

/** The runner takes new sandboxes again. Audited. */
export const POST = withPlatformAdmin(async ({ scope, params }) => Response.json({ runner: await undrainRunner(scope, params.id!) }));
