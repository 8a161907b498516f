import { withOrg } from '@/lib/api/handler';
import { buildView, cancelBuild } from '@/lib/templates/builds';

export const dynamic = 'force-dynamic';

/** Stops a queued or running build (the pull on its runner is killed); 409 once it has ended. */
export const POST = withOrg('sandboxes:write', async ({ scope, params }) => {
  const build = await cancelBuild(scope, params.id!, params.buildId!);
  return Response.json({ build: buildView(build) });
});
