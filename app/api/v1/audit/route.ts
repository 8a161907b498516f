import { parseQuery, withOrg } from '@/lib/api/handler';
import { listAudit } from '@/lib/audit/audit';
import { pageQuery } from '@/lib/schemas/common';

export const dynamic = 'force-dynamic';

export const GET = withOrg('audit:read', async ({ req, scope }) => {
  const { cursor, limit } = parseQuery(req, pageQuery);
  const { events, nextCursor } = await listAudit(scope, { cursor, limit });
  return Response.json({
    events: events.map((e) => ({ ...e, actor: { type: e.actor.type, label: e.actor.label } })),
    nextCursor,
  });
});
