import { withOrg } from '@/lib/api/handler';
import { deleteSnapshot, getSnapshot } from '@/lib/sandboxes/snapshots';

export const dynamic = 'force-dynamic';

/** One snapshot, with the sandboxes forked from it (`usedBy`). */
export const GET = withOrg('sandboxes:read', async ({ scope, params }) => Response.json(await getSnapshot(scope, params.id!)));

/** 409 while sandboxes still use it (forks share its layer). */
export const DELETE = withOrg('snapshots:delete', async ({ scope, params }) => {
  await deleteSnapshot(scope, params.id!);
  return Response.json({ ok: true });
});
