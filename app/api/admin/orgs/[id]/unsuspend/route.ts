import { withPlatformAdmin } from '@/lib/api/handler';
import { unsuspendOrg } from '@/lib/billing/suspension';

export const dynamic = 'force-dynamic';

export const POST = withPlatformAdmin(async ({ scope, params }) => Response.json(await unsuspendOrg(scope, params.id!)));
