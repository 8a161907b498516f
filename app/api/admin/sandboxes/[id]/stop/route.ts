import { withPlatformAdmin } from '@/lib/api/handler';
import { stopSandboxAsAdmin } from '@/lib/admin/sandboxes';

export const dynamic = 'force-dynamic';

/** Stops any org's sandbox (files kept) through the org's own stop, audited in its log as the admin. */
export const POST = withPlatformAdmin(async ({ scope, params }) => Response.json(await stopSandboxAsAdmin(scope, params.id!)));
