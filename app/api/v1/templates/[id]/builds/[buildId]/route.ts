import { parseQuery, withOrg } from '@/lib/api/handler';
import { followQuery } from '@/lib/schemas/templates';
import { buildView, followBuild, getBuild } from '@/lib/templates/builds';

export const dynamic = 'force-dynamic';

/** One build with its log; `?follow=1` streams the log as NDJSON until the build ends. */
export const GET = withOrg('sandboxes:read', async ({ req, scope, params }) => {
  const q = parseQuery(req, followQuery);
  const build = await getBuild(scope, params.id!, params.buildId!);
  if (q.follow !== '1') return Response.json({ build: buildView(build) });
  return new Response(followBuild(scope, params.id!, params.buildId!, req.signal), {
    headers: { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' },
  });
});
