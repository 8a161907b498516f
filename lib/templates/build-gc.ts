import { and, eq, isNotNull, isNull } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import { logger } from '@/lib/logger';
import { isRunnerUnavailable } from '@/lib/runner-client';
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
    // A runner that is away (or, at boot, not up yet) is the expected case: one line, no stack.
    if (isRunnerUnavailable(err)) logger.info({ runnerId, reason: (err as Error).message }, 'build cache not collected: runner unavailable now');
    else logger.warn({ err, runnerId }, 'build cache not collected on this runner now');
    return null;
  }
}

/**
 * Every registered runner's build cache (console start). The embedded runner starts beside the
 * console, so a runner not answering yet is asked again a few times before it is left to the
 * next build or delete.
 */
export async function collectAllBuildCaches(attempts = 10, gapMs = 3000): Promise<void> {
  for (const r of await listRunners()) {
    for (let i = 0; i < attempts; i++) {
      if ((await collectBuildCache(r.id)) !== null) break;
      await new Promise((done) => setTimeout(done, gapMs));
    }
  }
}
