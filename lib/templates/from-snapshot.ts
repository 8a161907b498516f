import { eq } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import { recordAudit } from '@/lib/audit/audit';
import type { OrgScope } from '@/lib/auth/scope';
import { claimTemplateSlot } from '@/lib/billing/template-quota';
import { isUniqueViolation } from '@/lib/db-errors';
import { orgLimits } from '@/lib/sandboxes/limits';
import { createSnapshot, deleteSnapshot, ownedSnapshot } from '@/lib/sandboxes/snapshots';
import type { SaveAsTemplateBody } from '@/lib/schemas/templates';
import { assertTemplateNameFree, nameTaken, type TemplateRow } from './templates';

const { templates, templateBuilds } = schema;


/**
 * A snapshot saved as a template: its frozen upper layer over the layers it stood on becomes what
 * new sandboxes start from (a fork of the snapshot, on its runner). The template holds the
 * snapshot: the snapshot cannot be deleted while a live template names it, and its bytes keep
 * counting against the org's snapshot storage. The template is ready at once, with one build
 * that records where it came from.
 */
export async function saveSnapshotAsTemplate(scope: OrgScope, snapshotId: string, body: SaveAsTemplateBody): Promise<TemplateRow> {
  const snap = await ownedSnapshot(scope, snapshotId);
  const limits = await orgLimits(scope.orgId);
  const db = await getDb();
  await assertTemplateNameFree(scope, body.name);
  const source = `snapshot:${snap.id}`;
  return db
    .transaction(async (tx) => {
      await claimTemplateSlot(tx, scope.orgId, limits.maxTemplates);
      const [tpl] = await tx
        .insert(templates)
        .values({
          orgId: scope.orgId,
          name: body.name,
          description: body.description ?? '',
          image: source,
          snapshotId: snap.id,
          readyCommand: body.readyCommand ?? null,
          readyTimeoutSec: body.readyTimeoutSec ?? 30,
          status: 'ready',
          createdBy: scope.actor.label,
        })
        .returning();
      const now = new Date();
      const log = `${now.toISOString()} saved from snapshot ${snap.id}${snap.sandboxId ? ` of sandbox ${snap.sandboxId}` : ''} on runner ${snap.runnerId}\n`;
      const [build] = await tx
        .insert(templateBuilds)
        .values({
          templateId: tpl!.id,
          orgId: scope.orgId,
          version: 1,
          runnerId: snap.runnerId,
          status: 'succeeded',
          image: source,
          sizeBytes: snap.sizeBytes,
          log,
          createdBy: scope.actor.label,
          startedAt: now,
          finishedAt: now,
        })
        .returning();
      const [out] = await tx.update(templates).set({ currentBuildId: build!.id }).where(eq(templates.id, tpl!.id)).returning();
      await recordAudit(scope, 'template.create', { type: 'template', id: tpl!.id }, { name: body.name, snapshotId: snap.id }, tx);
      return out!;
    })
    .catch((err) => {
      if (isUniqueViolation(err, 'templates_org_name_idx')) throw nameTaken(body.name);
      throw err;
    });
}

/** A sandbox saved as a template: a snapshot of it now (its files as they are), then that. */
export async function saveSandboxAsTemplate(scope: OrgScope, sandboxId: string, body: SaveAsTemplateBody): Promise<TemplateRow> {
  // Checked before the snapshot too: a request refused for its name leaves nothing behind.
  await assertTemplateNameFree(scope, body.name);
  const snap = await createSnapshot(scope, sandboxId, `template ${body.name}`);
  try {
    return await saveSnapshotAsTemplate(scope, snap.id, body);
  } catch (err) {
    // A name taken or the template quota full: the snapshot made for it goes again.
    await deleteSnapshot(scope, snap.id).catch(() => {});
    throw err;
  }
}
