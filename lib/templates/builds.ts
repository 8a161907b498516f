import { and, desc, eq, inArray, isNull, max, sql } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import { recordAudit } from '@/lib/audit/audit';
import type { OrgScope } from '@/lib/auth/scope';
import { AppError, conflict, notFound } from '@/lib/errors';
import { logger } from '@/lib/logger';
import { type RunnerClient, RunnerError } from '@/lib/runner-client';
import type { DebianSpec } from '@/runner/images/debian-base';
import { pickRunner } from '@/lib/runners/placement';
import { runnerClient } from '@/lib/runners/registry';
import { fromRunner } from '@/lib/sandboxes/runner-errors';
import { collectBuildCache } from './build-gc';
import { removeImageIfUnused } from './image-gc';
import { BuildStepFailed, runRecipe } from './recipe-build';
import { assertCanSpend } from '@/lib/billing/standing';
import { type BuildRow, findTemplate, registryCredentials, type TemplateRow } from './templates';

const { templates, templateBuilds } = schema;

/**
 * Builds of image templates: a build pulls the template's image on one runner (its layers land
 * in that runner's shared store) and records the exact digest and config, which is the version
 * sandboxes then run. Builds run one at a time per runner, in the console process, their log
 * appended to the row as they go (so a follower on any console instance sees it, and it is
 * kept). A build a console restart cut short is queued again at boot: a pull is idempotent.
 */
const queues = new Map<string, Promise<unknown>>();

function enqueue(runnerId: string, buildId: string): void {
  const prev = queues.get(runnerId) ?? Promise.resolve();
  // Each build ends with a collection of the runner's step cache: what a failed, cancelled or
  // superseded build left goes once its grace period has passed (lib/templates/build-gc.ts).
  const next = prev
    .then(() => runBuild(buildId))
    .catch((err) => logger.error({ err, buildId }, 'template build crashed'))
    .then(() => collectBuildCache(runnerId))
    .catch((err) => logger.warn({ err, runnerId }, 'build cache not collected'));
  queues.set(runnerId, next);
  void next.then(() => {
    if (queues.get(runnerId) === next) queues.delete(runnerId);
  });
}

/** Resolves once every build queued so far has finished (tests, shutdown). */
export async function buildsIdle(): Promise<void> {
  while (queues.size) await Promise.all([...queues.values()]);
}

/** The log column with `line` appended, each of its lines stamped with the time. */
function withLine(line: string) {
  const at = new Date().toISOString();
  const stamped = line
    .split('\n')
    .map((l) => `${at} ${l}\n`)
    .join('');
  return sql`${templateBuilds.log} || ${stamped}`;
}

async function appendLog(id: string, line: string): Promise<void> {
  const db = await getDb();
  await db.update(templateBuilds).set({ log: withLine(line) }).where(eq(templateBuilds.id, id));
}

/** Who starts a build: an org (audited in its log), or the platform (its own templates). */
export type BuildBy = OrgScope | { platform: string };

export async function startBuild(by: BuildBy, row: TemplateRow): Promise<BuildRow> {
  const label = 'platform' in by ? by.platform : by.actor.label;
  // A build runs sandboxes (a recipe's RUN steps): an org that may not spend may not build.
  if (!('platform' in by)) await assertCanSpend(by.orgId);
  const runner = await pickRunner({ cpu: 0, memoryMb: 0 });
  const db = await getDb();
  const build = await db.transaction(async (tx) => {
    // One build number per template, taken under a row lock on the template.
    await tx.execute(sql`select 1 from ${templates} where ${templates.id} = ${row.id} for update`);
    const [{ n } = { n: 0 }] = await tx.select({ n: max(templateBuilds.version) }).from(templateBuilds).where(eq(templateBuilds.templateId, row.id));
    const [inserted] = await tx
      .insert(templateBuilds)
      .values({ templateId: row.id, orgId: row.orgId, version: (n ?? 0) + 1, runnerId: runner.id, image: row.image, createdBy: label })
      .returning();
    await tx.update(templates).set({ status: row.currentBuildId ? row.status : 'building', updatedAt: new Date() }).where(eq(templates.id, row.id));
    if (!('platform' in by)) await recordAudit(by, 'template.build', { type: 'template', id: row.id }, { buildId: inserted!.id, version: inserted!.version, image: row.image }, tx);
    return inserted!;
  });
  await appendLog(build.id, `queued on runner ${runner.id}`);
  enqueue(runner.id, build.id);
  return build;
}

async function runBuild(buildId: string): Promise<void> {
  const db = await getDb();
  const [build] = await db.select().from(templateBuilds).where(eq(templateBuilds.id, buildId));
  if (!build || (build.status !== 'queued' && build.status !== 'running')) return;
  const [tpl] = await db.select().from(templates).where(eq(templates.id, build.templateId));
  // Only a build still queued or running starts: a cancel that came first wins.
  const [started] = await db
    .update(templateBuilds)
    .set({ status: 'running', startedAt: new Date() })
    .where(and(eq(templateBuilds.id, buildId), inArray(templateBuilds.status, ['queued', 'running'])))
    .returning({ id: templateBuilds.id });
  if (!started) return;
  await appendLog(buildId, `pulling ${build.image}`);
  try {
    if (!tpl || tpl.deletedAt) throw new AppError('not_found', 'The template was deleted before its build ran');
    const creds = await registryCredentials(tpl);
    if (creds.username) await appendLog(buildId, `using the credentials of ${creds.username} (password from secret ${tpl.registryPasswordSecret})`);
    const client = await runnerClient(build.runnerId);
    if (await isCancelled(buildId)) throw new AppError('cancelled', 'Cancelled');
    const started = Date.now();
    // The build's id names the pull: a cancel stops it.
    const pulled = tpl.systemBase ? await debianBase(client, tpl.systemBase, (l) => appendLog(buildId, l)) : await client.images.pull({ reference: build.image, pullId: buildId, ...creds });
    if (!tpl.systemBase) await appendLog(buildId, `pulled ${pulled.digest}: ${pulled.layers.length} layer${pulled.layers.length === 1 ? '' : 's'}, ${formatBytes(pulled.sizeBytes)} unpacked, in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const context = tpl.context && tpl.contextSha256 ? { sha256: tpl.contextSha256, base64: tpl.context } : null;
    const stopped = async () => (await isCancelled(buildId)) || (tpl.orgId !== null && !(await canSpend(tpl.orgId)));
    const img = tpl.recipe ? await runRecipe(client, tpl.recipe, pulled, { orgId: tpl.orgId, context, stopped }, (l) => appendLog(buildId, l)) : pulled;
    if (tpl.recipe) await appendLog(buildId, `built ${img.digest} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const cfg = img.config;
    const start = [...cfg.entrypoint, ...cfg.cmd];
    await appendLog(buildId, `config: workdir ${cfg.workingDir ?? '(home)'}, user ${cfg.user ?? '(root)'}, ${Object.keys(cfg.env).length} env vars, start command ${start.length ? JSON.stringify(start) : '(none)'}`);
    const done = await db.transaction(async (tx) => {
      const [ok] = await tx
        .update(templateBuilds)
        // The closing line lands with the status: a follower stops polling once the build ends.
        .set({ status: 'succeeded', imageDigest: img.digest, imageConfig: cfg, sizeBytes: img.sizeBytes, finishedAt: new Date(), log: withLine(`build ${build.version} succeeded`) })
        .where(and(eq(templateBuilds.id, buildId), eq(templateBuilds.status, 'running')))
        .returning({ id: templateBuilds.id });
      if (ok) await tx.update(templates).set({ status: 'ready', currentBuildId: buildId, updatedAt: new Date() }).where(eq(templates.id, build.templateId));
      return Boolean(ok);
    });
    if (!done) {
      // Cancelled after the runner finished the pull: the image goes again unless a build uses it.
      await appendLog(buildId, 'cancelled after the pull finished; removing the image unless another build uses it');
      await removeImageIfUnused(build.runnerId, img.digest);
      return;
    }
  } catch (err) {
    if (await isCancelled(buildId)) {
      await appendLog(buildId, 'stopped: the build was cancelled');
      return;
    }
    const e = fromRunner(err);
    const message = e instanceof Error ? e.message : String(e);
    const code = e instanceof AppError ? e.code : err instanceof RunnerError ? err.code : err instanceof BuildStepFailed ? err.code : 'internal';
    await db.transaction(async (tx) => {
      await tx
        .update(templateBuilds)
        .set({ status: 'failed', error: message.slice(0, 2000), errorCode: code, finishedAt: new Date(), log: withLine(`failed: ${message}`) })
        .where(eq(templateBuilds.id, buildId));
      // A template with an earlier good build stays ready on it; a first build that failed fails it.
      await tx
        .update(templates)
        .set({ status: sql`case when ${templates.currentBuildId} is null then 'failed' else 'ready' end`, updatedAt: new Date() })
        .where(eq(templates.id, build.templateId));
    });
  }
}

async function isCancelled(buildId: string): Promise<boolean> {
  const db = await getDb();
  const [b] = await db.select({ status: templateBuilds.status }).from(templateBuilds).where(eq(templateBuilds.id, buildId));
  return b?.status === 'cancelled';
}

/**
 * Cancels a queued or running build: marked `cancelled` first (so the build's own ending cannot
 * overwrite it), then the runner's pull is stopped (skopeo killed, partial layers swept). A build
 * that already ended is a 409.
 */
export async function cancelBuild(scope: OrgScope, templateId: string, buildId: string): Promise<BuildRow> {
  const build = await getBuild(scope, templateId, buildId);
  const tpl = await findTemplate(scope, templateId, true);
  const db = await getDb();
  const [cancelled] = await db.transaction(async (tx) => {
    const out = await tx
      .update(templateBuilds)
      .set({ status: 'cancelled', error: 'Cancelled', errorCode: 'cancelled', finishedAt: new Date(), log: withLine(`cancel requested by ${scope.actor.label}`) })
      .where(and(eq(templateBuilds.id, build.id), inArray(templateBuilds.status, ['queued', 'running'])))
      .returning();
    if (out.length) {
      await tx
        .update(templates)
        .set({ status: sql`case when ${templates.currentBuildId} is null then 'failed' else 'ready' end`, updatedAt: new Date() })
        .where(eq(templates.id, tpl.id));
      await recordAudit(scope, 'template.build_cancel', { type: 'template', id: tpl.id }, { buildId: build.id, version: build.version }, tx);
    }
    return out;
  });
  if (!cancelled) throw conflict(`Build ${build.version} already ended (${build.status})`);
  if (build.status === 'running' || build.startedAt) {
    await runnerClient(build.runnerId)
      .then((c) => c.images.cancel(build.id))
      .catch((err) => logger.warn({ err, buildId }, 'could not reach the runner to stop a cancelled pull'));
  }
  return getBuild(scope, templateId, buildId);
}

async function debianBase(client: RunnerClient, spec: DebianSpec, log: (line: string) => Promise<void>) {
  await log(`mmdebstrap ${spec.suite} (${spec.variant}${spec.include.length ? ` + ${spec.include.join(', ')}` : ''}) from Debian's archive: minutes when not cached`);
  const r = await client.images.debian(spec);
  await log(r.cached ? `${r.image.digest}: CACHED on this runner` : r.output);
  return r.image;
}

function formatBytes(n: number): string {
  if (n >= 1 << 30) return `${(n / (1 << 30)).toFixed(1)} GiB`;
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  return `${Math.ceil(n / 1024)} KiB`;
}

export type BuildView = ReturnType<typeof buildView>;
export const buildView = (b: BuildRow) => ({
  id: b.id,
  templateId: b.templateId,
  version: b.version,
  status: b.status,
  image: b.image,
  imageDigest: b.imageDigest,
  imageConfig: b.imageConfig,
  sizeBytes: b.sizeBytes,
  runnerId: b.runnerId,
  error: b.error ? { code: b.errorCode ?? 'internal', message: b.error } : null,
  log: b.log,
  createdBy: b.createdBy,
  createdAt: b.createdAt.toISOString(),
  startedAt: b.startedAt?.toISOString() ?? null,
  finishedAt: b.finishedAt?.toISOString() ?? null,
});

export async function listBuilds(scope: OrgScope, templateId: string): Promise<BuildView[]> {
  const tpl = await findTemplate(scope, templateId);
  const db = await getDb();
  const rows = await db.select().from(templateBuilds).where(eq(templateBuilds.templateId, tpl.id)).orderBy(desc(templateBuilds.version)).limit(100);
  return rows.map(buildView);
}

export async function getBuild(scope: OrgScope, templateId: string, buildId: string): Promise<BuildRow> {
  const tpl = await findTemplate(scope, templateId);
  const db = await getDb();
  const [row] = await db.select().from(templateBuilds).where(and(eq(templateBuilds.id, buildId), eq(templateBuilds.templateId, tpl.id)));
  if (!row) throw notFound('Build');
  return row;
}

/**
 * The build's log as NDJSON while it runs: `{type:"log",line}` per line (from the start), then one
 * `{type:"status",status,error}` when it ends. Polls the row, so it works from any console.
 */
export function followBuild(scope: OrgScope, templateId: string, buildId: string, signal: AbortSignal): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  let sent = 0;
  return new ReadableStream({
    async pull(controller) {
      for (;;) {
        if (signal.aborted) return controller.close();
        const b = await getBuild(scope, templateId, buildId);
        const lines = b.log.split('\n').slice(0, -1);
        const fresh = lines.slice(sent);
        sent = lines.length;
        for (const line of fresh) controller.enqueue(enc.encode(`${JSON.stringify({ type: 'log', line })}\n`));
        if (b.status === 'succeeded' || b.status === 'failed' || b.status === 'cancelled') {
          const v = buildView(b);
          controller.enqueue(enc.encode(`${JSON.stringify({ type: 'status', status: v.status, imageDigest: v.imageDigest, error: v.error })}\n`));
          return controller.close();
        }
        if (fresh.length) return; // let the consumer read; pull is called again
        await new Promise((r) => setTimeout(r, 300));
      }
    },
  });
}

/** Boot: builds a console restart cut short (queued or running) are queued again. */
export async function resumeBuilds(): Promise<number> {
  const db = await getDb();
  const rows = await db
    .select({ id: templateBuilds.id, runnerId: templateBuilds.runnerId })
    .from(templateBuilds)
    .innerJoin(templates, eq(templates.id, templateBuilds.templateId))
    .where(and(inArray(templateBuilds.status, ['queued', 'running']), isNull(templates.deletedAt)))
    .orderBy(templateBuilds.createdAt);
  for (const r of rows) {
    await appendLog(r.id, 'resumed after a console restart');
    enqueue(r.runnerId, r.id);
  }
  return rows.length;
}

/** Whether the org may still run things (a recipe's later steps stop when it may not). */
async function canSpend(orgId: string): Promise<boolean> {
  return assertCanSpend(orgId).then(
    () => true,
    () => false,
  );
}
