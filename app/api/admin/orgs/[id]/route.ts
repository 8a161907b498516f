import { withPlatformAdmin } from '@/lib/api/handler';
import { orgDetailForAdmin } from '@/lib/admin/org-detail';

export const dynamic = 'force-dynamic';

/** One tenant: plan, status, members and what it holds. Platform admins only; others get a 404. */
export const GET = withPlatformAdmin(async ({ params }) => Response.json(await orgDetailForAdmin(params.id!)));
