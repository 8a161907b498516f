import { withOrg } from '@/lib/api/handler';
import { revokeShare } from '@/lib/embeds/shares';

export const dynamic = 'force-dynamic';

export const DELETE = withOrg('sandboxes:write', async ({ scope, params }) => Response.json({ share: await revokeShare(scope, params.id!) }));
