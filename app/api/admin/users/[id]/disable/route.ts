import { parseJson, withPlatformAdmin } from '@/lib/api/handler';
import { disableUser } from '@/lib/admin/user-actions';
import { disableUserBody } from '@/lib/schemas/admin';

export const dynamic = 'force-dynamic';

/** Disables an account with a reason: no sign-in, its sessions end, its API keys are refused. Audited. */
export const POST = withPlatformAdmin(async ({ req, scope, params }) =>
  Response.json({ user: await disableUser(scope, params.id!, await parseJson(req, disableUserBody)) }),
);
