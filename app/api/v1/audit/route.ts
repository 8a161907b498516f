import { parseQuery, withOrg } from '@/lib/api/handler';
import { listAudit } from '@/lib/audit/audit';
import { auditCsvStream } from '@/lib/audit/audit-csv';
import { auditQuery } from '@/lib/schemas/audit';

export const dynamic = 'force-dynamic';

/** The org's audit log, filtered by actor, action, target and time; `format=csv` streams every match. */
export const GET = withOrg('audit:read', async ({ req, scope }) => {
  const { cursor, limit, format, ...filter } = parseQuery(req, auditQuery);
  if (format === 'csv') {
    return new Response(auditCsvStream(scope, filter), {
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="warren-audit-${scope.orgSlug}-${new Date().toISOString().slice(0, 10)}.csv"`,
        'cache-control': 'no-store',
      },
    });
  }
  const { events, nextCursor } = await listAudit(scope, { cursor, limit, filter });
  return Response.json({
    events: events.map((e) => ({ ...e, actor: { type: e.actor.type, label: e.actor.label } })),
    nextCursor,
  });
});
