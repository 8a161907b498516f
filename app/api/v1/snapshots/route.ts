import { withOrg } from '@/lib/api/handler';
import { listSnapshots } from '@/lib/sandboxes/snapshots';

export const dynamic = 'force-dynamic';

export const GET = withOrg('sandboxes:read', async ({ scope }) => Response.json({ snapshots: await listSnapshots(scope) }));
