import { withPlatformAdmin } from '@/lib/api/handler';
import { getMailForAdmin } from '@/lib/admin/mail';
import { pathId } from '@/lib/schemas/members';

export const dynamic = 'force-dynamic';

/** One message with its bodies. Platform admins only; anyone else gets a 404. */
export const GET = withPlatformAdmin(async ({ params }) => Response.json({ mail: await getMailForAdmin(pathId(params, 'id', 'Message')) }));
