import { and, eq, isNull } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import { logger } from '@/lib/logger';
import { RunnerError } from '@/lib/runner-client';
import { listRunners, runnerClient } from '@/lib/runners/registry';
import { collectBuildCache } from './build-gc';

const { templates, templateBuilds } = schema;

/**
 * Removes an image from the runners when no live template's build still names it (a deleted
 * template's, a cancelled build's). Each runner keeps the layers another image, a sandbox or a
 * snapshot uses (its delete answers 409 while a sandbox stands on the image). Best effort: a
 * runner that is away keeps it until an operator deletes it; its start sweeps only orphan layers.
 */
export async function removeImageIfUnused(runnerId: string | null, digest: string): Promise<number> {
  const db = await getDb();
  const [used] = await db
    .select({ id: templateBuilds.id })
    .from(templateBuilds)
    .innerJoin(templates, eq(templates.id, templateBuilds.templateId))
    .where(and(eq(templateBuilds.imageDigest, digest), eq(templateBuilds.status, 'succeeded'), isNull(templates.deletedAt)))
    .limit(1);
  if (used) return 0;
  // A sandbox may have pulled the image on any runner (by digest), not only the build's.
  const ids = runnerId ? [runnerId] : (await listRunners()).map((r) => r.id);
  let removed = 0;
  for (const id of ids) {
    try {
      await (await runnerClient(id)).images.delete(digest);
      removed++;
    } catch (err) {
      if (!(err instanceof RunnerError && err.status === 404)) logger.info({ err, runnerId: id, digest }, 'image kept on its runner');
    }
  }
  return removed;
}

/**
 * After a template's delete: its builds' images leave every runner unless another template uses
 * them, and a recipe's step cache and context on the runners that built it are collected.
 */
export async function removeTemplateImages(templateId: string): Promise<void> {
  const db = await getDb();
  const rows = await db
    .selectDistinct({ digest: templateBuilds.imageDigest })
    .from(templateBuilds)
    .where(and(eq(templateBuilds.templateId, templateId), eq(templateBuilds.status, 'succeeded')));
  for (const r of rows) if (r.digest) await removeImageIfUnused(null, r.digest);
  const runners = await db.selectDistinct({ id: templateBuilds.runnerId }).from(templateBuilds).where(eq(templateBuilds.templateId, templateId));
  for (const r of runners) await collectBuildCache(r.id);
}
