import { withPlatformAdmin } from '@/lib/api/handler';
import { deleteSandboxAsAdmin } from '@/lib/admin/sandboxes';

export const dynamic = 'force-dynamic';

/** Deletes any org's sandbox through the org's own delete, audited in its log as the admin. */
export const DELETE = withPlatformAdmin(async ({ scope, params }) => {
  await deleteSandboxAsAdmin(scope, params.id!);
  return Response.json({ ok: true });
});
