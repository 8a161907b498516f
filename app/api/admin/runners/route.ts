import { withPlatformAdmin } from '@/lib/api/handler';
import { listRunnersForAdmin } from '@/lib/admin/runners';

export const dynamic = 'force-dynamic';

/** Every registered runner: capacity, use, heartbeat and state. Platform admins only; others get a 404. */
export const GET = withPlatformAdmin(async () => Response.json({ runners: await listRunnersForAdmin() }));
