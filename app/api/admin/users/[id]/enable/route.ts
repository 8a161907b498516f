import { withPlatformAdmin } from '@/lib/api/handler';
import { enableUser } from '@/lib/admin/user-actions';

export const dynamic = 'force-dynamic';

/** Lifts a disable: the person may sign in again and their API keys work again. Audited. */
export const POST = withPlatformAdmin(async ({ scope, params }) => Response.json({ user: await enableUser(scope, params.id!) }));
