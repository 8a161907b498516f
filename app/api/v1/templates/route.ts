import { withOrg } from '@/lib/api/handler';
import { listTemplates } from '@/lib/templates/templates';

export const dynamic = 'force-dynamic';

export const GET = withOrg('sandboxes:read', async () => Response.json({ templates: listTemplates() }));
