import { and, eq, isNotNull, isNull } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import { logger } from '@/lib/logger';
import { listRunners, runnerClient } from '@/lib/runners/registry';

const { templates, templateBuilds } = schema;

/**
 * The recipe build cache on runners (runner/images/build-gc.ts does the collecting): a step
 * record, its layer and an uploaded context stay while a live template reaches them (the image
 * of any of its good builds on that runner, and its ancestors; its current context) and go once
 * none does: a deleted template's, a failed or cancelled build's, a replaced context's. Steps a
 * build used in the runner's grace period (WARREN_RUNNER_BUILD_GC_GRACE_SEC) stay too, so a build
 * in progress or just failed keeps its cache for a retry. Best effort: a runner away now is
 * collected by the next call (after any template delete or build, and at every console start).
 */
export async function collectBuildCache(runnerId: string): Promise<{ images: number; layers: number; contexts: number } | null> {
  const db = await getDb();
  const [kept, ctx] = await Promise.all([
    db
      .selectDistinct({ digest: templateBuilds.imageDigest })
      .from(templateBuilds)
      .innerJoin(templates, eq(templates.id, templateBuilds.templateId))
      .where(and(eq(templateBuilds.runnerId, runnerId), eq(templateBuilds.status, 'succeeded'), isNotNull(templateBuilds.imageDigest), isNull(templates.deletedAt))),
    db
      .selectDistinct({ sha: templates.contextSha256 })
      .from(templates)
      .where(and(isNotNull(templates.contextSha256), isNull(templates.deletedAt))),
  ]);
  try {
    const client = await runnerClient(runnerId);
    const r = await client.images.gcBuilds({ keep: kept.map((k) => k.digest!), contexts: ctx.map((c) => c.sha!) });
    if (r.images || r.layers || r.contexts) logger.info({ runnerId, ...r }, 'build cache collected');
    return r;
  } catch (err) {
    logger.info({ err, runnerId }, 'build cache not collected on this runner now');
    return null;
  }
}

/** Every registered runner's build cache (console start). */
export async function collectAllBuildCaches(): Promise<void> {
  for (const r of await listRunners()) await collectBuildCache(r.id);
}
