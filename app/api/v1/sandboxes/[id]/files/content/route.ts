import { parseQuery } from '@/lib/api/handler';
import { withSandbox } from '@/lib/api/sandbox-route';
import { contentDisposition, downloadFile, uploadFile } from '@/lib/sandboxes/files';
import { bytesResponse } from '@/lib/sandboxes/route-helpers';
import { pathQuery, uploadQuery } from '@/lib/schemas/sandboxes';

export const dynamic = 'force-dynamic';

/** Downloads a file's bytes (streamed). */
export const GET = withSandbox('sandboxes:read', async ({ req, scope, params }) => {
  const { path } = parseQuery(req, pathQuery);
  const file = await downloadFile(scope, params.id!, path, req.signal);
  return bytesResponse(file.stream, { size: file.size, disposition: contentDisposition(file.name) });
});

/** Uploads the raw body to `path` (parents created, replaced atomically); over the cap → 413. */
export const PUT = withSandbox('sandboxes:write', async ({ req, scope, params }) => {
  const { path, mode } = parseQuery(req, uploadQuery);
  const declared = req.headers.get('content-length');
  const result = await uploadFile(scope, params.id!, path, req.body, declared === null ? null : Number(declared), mode);
  return Response.json(result, { status: 201 });
});
