import { parseQuery, withOrg } from '@/lib/api/handler';
import { listSnapshotFiles } from '@/lib/sandboxes/snapshots';
import { pathQuery } from '@/lib/schemas/sandboxes';

export const dynamic = 'force-dynamic';

/** Lists a directory of the snapshot, read-only; no sandbox needed. */
export const GET = withOrg('sandboxes:read', async ({ req, scope, params }) => {
  const { path } = parseQuery(req, pathQuery);
  return Response.json(await listSnapshotFiles(scope, params.id!, path, req.signal));
});
