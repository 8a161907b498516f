import { parseQuery, withPlatformAdmin } from '@/lib/api/handler';
import { listAudit } from '@/lib/audit/audit';
import { adminOrg } from '@/lib/billing/admin-org';
import { adminAuditQuery } from '@/lib/schemas/admin';

export const dynamic = 'force-dynamic';

/** The org's audit log, newest first, as its owners see it (admin actions on it included). */
export const GET = withPlatformAdmin(async ({ req, params }) => {
  const org = await adminOrg(params.id!);
  return Response.json(await listAudit({ orgId: org.id }, parseQuery(req, adminAuditQuery)));
});
