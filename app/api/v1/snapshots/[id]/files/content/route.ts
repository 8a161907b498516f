import { parseQuery, withOrg } from '@/lib/api/handler';
import { basename, contentDisposition } from '@/lib/sandboxes/files';
import { bytesResponse } from '@/lib/sandboxes/route-helpers';
import { readSnapshotFile } from '@/lib/sandboxes/snapshots';
import { pathQuery } from '@/lib/schemas/sandboxes';

export const dynamic = 'force-dynamic';

export const GET = withOrg('sandboxes:read', async ({ req, scope, params }) => {
  const { path } = parseQuery(req, pathQuery);
  const file = await readSnapshotFile(scope, params.id!, path, req.signal);
  return bytesResponse(file.stream, { size: file.size, disposition: contentDisposition(basename(path)) });
});
