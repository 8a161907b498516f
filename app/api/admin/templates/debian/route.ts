import { withPlatformAdmin } from '@/lib/api/handler';
import { buildView } from '@/lib/templates/builds';
import { ensureDebianTemplate } from '@/lib/templates/debian';

export const dynamic = 'force-dynamic';

/** Builds (or rebuilds) the platform's `debian` template; follow the build at /api/v1/templates/debian/builds/:id. */
export const POST = withPlatformAdmin(async ({ scope }) => {
  const { template, build } = await ensureDebianTemplate({ platform: scope.email }, { rebuild: true });
  return Response.json({ templateId: template.id, build: build && buildView(build) }, { status: 202 });
});
