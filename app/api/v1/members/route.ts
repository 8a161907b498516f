import { withOrg } from '@/lib/api/handler';
import { listMembers } from '@/lib/members/members';

export const dynamic = 'force-dynamic';

export const GET = withOrg('members:read', async ({ scope }) => Response.json({ members: await listMembers(scope) }));
