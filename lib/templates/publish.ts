import { and, eq, isNull } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import { actorFromUser, recordAudit } from '@/lib/audit/audit';
import type { UserScope } from '@/lib/auth/scope';
import { badRequest, conflict, notFound } from '@/lib/errors';
import { templateColumns } from './templates';

const { templates } = schema;

/**
 * Publishes an org's template to the platform (platform admins): it moves to `org_id` null, so
 * every org lists it under "Platform" and can start sandboxes from it, and none (the former
 * owner included) can change or delete it through the org API. It frees the owner's template slot.
 * Refused for a template with registry credentials (they live in the owner's vault, which other
 * orgs' sandboxes must never use) and for one without a successful build.
 */
export async function publishTemplate(admin: UserScope, id: string): Promise<{ id: string; name: string; public: true }> {
  const db = await getDb();
  const [row] = await db.select(templateColumns).from(templates).where(and(eq(templates.id, id), isNull(templates.deletedAt)));
  if (!row) throw notFound('Template');
  if (row.orgId === null) throw conflict(`Template ${row.name} is already a platform template`);
  if (row.registryUsername) throw badRequest(`Template ${row.name} pulls with its org's registry credentials; a platform template cannot use an org's vault`);
  if (!row.currentBuildId) throw conflict(`Template ${row.name} has no successful build yet`);
  const [clash] = await db.select({ id: templates.id }).from(templates).where(and(isNull(templates.orgId), eq(templates.name, row.name), isNull(templates.deletedAt)));
  if (clash) throw conflict(`A platform template named ${row.name} already exists; rename this one first`);
  await db.transaction(async (tx) => {
    await tx.update(templates).set({ orgId: null, updatedAt: new Date() }).where(eq(templates.id, row.id));
    await recordAudit(actorFromUser(admin, row.orgId), 'template.publish', { type: 'template', id: row.id }, { name: row.name }, tx);
  });
  return { id: row.id, name: row.name, public: true };
}
