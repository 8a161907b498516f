import { withPlatformAdmin } from '@/lib/api/handler';
import { publishTemplate } from '@/lib/templates/publish';

export const dynamic = 'force-dynamic';

/** Platform admins: makes an org's template a platform one every org sees (read-only to them). */
export const POST = withPlatformAdmin(async ({ scope, params }) => Response.json({ template: await publishTemplate(scope, params.id!) }));
