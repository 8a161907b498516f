import { parseQuery } from '@/lib/api/handler';
import { withSandbox } from '@/lib/api/sandbox-route';
import { listFiles, removeFile } from '@/lib/sandboxes/files';
import { flag } from '@/lib/sandboxes/route-helpers';
import { pathQuery, removeFileQuery } from '@/lib/schemas/sandboxes';

export const dynamic = 'force-dynamic';

/** Lists a directory: name, path, type, size, mode, mtime. */
export const GET = withSandbox('sandboxes:read', async ({ req, scope, params }) => {
  const { path } = parseQuery(req, pathQuery);
  return Response.json(await listFiles(scope, params.id!, path, req.signal));
});

/** Removes a file, or a directory with recursive=1. */
export const DELETE = withSandbox('sandboxes:write', async ({ req, scope, params }) => {
  const { path, recursive } = parseQuery(req, removeFileQuery);
  await removeFile(scope, params.id!, path, flag(recursive));
  return Response.json({ ok: true });
});
