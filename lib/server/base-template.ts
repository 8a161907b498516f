import { desc, eq } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import { AppError } from '@/lib/errors';
import { runnerStatus } from '@/lib/runner-status';
import { checkTemplateSettings } from '@/lib/templates/default-template';
import { ensureDebianTemplate } from '@/lib/templates/debian';
import type { BootHook } from './boot';

const { templateBuilds } = schema;
const POLL_MS = 2000;
const HEARTBEAT_MS = 30_000;
/** How long the hook waits for a runner to register before leaving the build to the first create. */
const RUNNER_WAIT_MS = 10 * 60_000;

/**
 * When the platform's default template is Debian (`base`, WARREN_DEFAULT_TEMPLATE), its build
 * starts at the console's start, not at the first create: on a new host that is the first start
 * of `scripts/up`, and again only when its recipe changed (lib/templates/debian.ts; the runner
 * keeps the image, so an unchanged recipe is never rebuilt). The build's log is printed on
 * stdout as it grows, so the operator watching `scripts/up` sees it; the console serves
 * meanwhile, and creates that get the default answer 409 with the build to follow until it is ready.
 * A bad WARREN_DEFAULT_TEMPLATE stops the start here, naming it.
 */
export const baseTemplate: BootHook = async ({ log }) => {
  const settings = checkTemplateSettings();
  if (settings.default === 'host' && !settings.host) {
    log.warn('WARREN_DEFAULT_TEMPLATE=host but the host template is off (WARREN_HOST_TEMPLATE): creates that name no template will be refused');
  }
  if (settings.default !== 'debian') return undefined;
  let stopped = false;
  void buildAndFollow(() => stopped).catch((err) => log.warn({ err }, 'the base template build was not started at boot; the first create starts it'));
  return async () => {
    stopped = true;
  };
};

const say = (line: string) => console.log(`[base template] ${line}`);

async function buildAndFollow(stopped: () => boolean): Promise<void> {
  const deadline = Date.now() + RUNNER_WAIT_MS;
  let waited = false;
  for (;;) {
    if (stopped()) return;
    // At boot the embedded runner is still starting: a build sent now would fail at once.
    const status = runnerStatus();
    if (status.state !== 'ready' && Date.now() < deadline) {
      if (status.state === 'unavailable') return say(`not built: the runner cannot run here (${status.problems.map((p) => p.what).join('; ')})`);
      if (!waited) say('waiting for the runner before starting its build');
      waited = true;
      await new Promise((r) => setTimeout(r, 2000));
      continue;
    }
    try {
      const { template, build, retryAt } = await ensureDebianTemplate({ platform: 'platform (first start)' });
      if (retryAt) {
        say(`its last build failed (see GET /api/v1/templates/base/builds); a create tries again after ${retryAt.toISOString()}, or a platform admin rebuilds it now (POST /api/admin/templates/debian)`);
        return;
      }
      const db = await getDb();
      const [latest] = await db.select().from(templateBuilds).where(eq(templateBuilds.templateId, template.id)).orderBy(desc(templateBuilds.version)).limit(1);
      const following = build ?? (latest && (latest.status === 'queued' || latest.status === 'running') ? latest : null);
      if (!following) return; // ready, of the current recipe: nothing to say on every start
      say(`building Debian bookworm (${template.systemBase?.include.join(', ') || 'minbase'}) with mmdebstrap: a few minutes on a first start; the console serves meanwhile`);
      await follow(following.id, stopped);
      return;
    } catch (err) {
      // At boot the embedded runner may not have registered yet: wait for it, a while.
      if (!(err instanceof AppError && err.code === 'runner_unavailable') || Date.now() > deadline) throw err;
      if (!waited) say('waiting for the runner before starting its build');
      waited = true;
      await new Promise((r) => setTimeout(r, 3000));
    }
  }
}

/** Prints the build's new log lines (without their timestamps) until it ends, and a line every 30 s of silence. */
async function follow(buildId: string, stopped: () => boolean): Promise<void> {
  const db = await getDb();
  const started = Date.now();
  let printed = 0;
  let lastOutput = Date.now();
  for (;;) {
    const [b] = await db.select().from(templateBuilds).where(eq(templateBuilds.id, buildId));
    if (!b) return;
    const lines = b.log.slice(printed).split('\n');
    const complete = lines.slice(0, -1); // a line still being written waits for the next poll
    for (const line of complete) for (const part of line.replace(/^\S+Z /, '').split('\n')) say(part);
    if (complete.length) {
      printed += complete.join('\n').length + 1;
      lastOutput = Date.now();
    }
    const took = `${Math.round((Date.now() - started) / 1000)} s`;
    if (b.status === 'succeeded') return say(`ready after ${took}: creates that name no template get it`);
    if (b.status === 'failed' || b.status === 'cancelled') {
      return say(`build ${b.status}${b.error ? `: ${b.error}` : ''}; a platform admin can rebuild it (POST /api/admin/templates/debian)`);
    }
    if (stopped()) return;
    if (Date.now() - lastOutput >= HEARTBEAT_MS) {
      say(`still building (${took})…`);
      lastOutput = Date.now();
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
