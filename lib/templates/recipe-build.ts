import crypto from 'node:crypto';
import path from 'node:path';
import { AppError } from '@/lib/errors';
import type { TemplateImageConfig } from '@/db/schema/templates';
import { type BuildStepInput, type ImageInfo, type RunnerClient, RunnerError } from '@/lib/runner-client';
import { orgLimits } from '@/lib/sandboxes/limits';
import { describeStep, expandVars, type Recipe, sandboxUserOf } from './recipe';

/**
 * A recipe build, step by step, on one runner (runner/images/build-steps.ts does each step).
 * Every step gets a cache key (rooted in the org and the FROM image's digest): sha256 of the parent's key and of the step as it will run (its
 * command, user, env and directory after ARG/ENV expansion; for COPY the context's sha256), so
 * a rebuild whose first N steps are unchanged finds them on the runner (CACHED) and runs only
 * from the first changed one, exactly as Docker's layer cache does.
 */
export class BuildStepFailed extends Error {
  readonly code = 'build_step_failed';
}

type Log = (line: string) => Promise<void>;

export type RecipeResult = { digest: string; config: TemplateImageConfig; sizeBytes: number };

/** What a RUN gets: the plan's per-sandbox limits, capped to something a build needs. */
async function stepLimits(orgId: string | null) {
  const l = orgId ? await orgLimits(orgId) : null;
  const cap = (want: number, max: number | undefined) => (max && max > 0 ? Math.min(want, max) : want);
  return {
    resources: { cpu: cap(2, l?.maxCpu), memoryMb: cap(2048, l?.maxMemoryMb), diskMb: cap(8192, l?.maxDiskMb) },
    timeoutSec: cap(1800, l?.maxTimeoutSec),
  };
}

async function has(client: RunnerClient, digest: string): Promise<boolean> {
  return client.images.get(digest).then(
    () => true,
    (err) => {
      if (err instanceof RunnerError && err.status === 404) return false;
      throw err;
    },
  );
}

const sha = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

/** How often a running RUN's output is fetched into the build log. */
const STREAM_EVERY_MS = 700;

/**
 * Polls a running RUN's output on the runner into the log, whole lines at a time, until `stop()`
 * (the step returned); then fetches the rest once. `done` is true when the runner knew the step
 * (its output is then in the log, and the step's result's copy is not logged again).
 */
function streamStepOutput(client: RunnerClient, outputId: string, log: Log): { stop: () => void; done: Promise<boolean> } {
  let stopped = false;
  let wake: () => void = () => {};
  const done = (async () => {
    let from = 0;
    let partial = '';
    let known = false;
    for (let last = false; ; ) {
      last = stopped;
      const r = await client.images.buildStepOutput(outputId, from).catch(() => null);
      if (r?.known) {
        known = true;
        from = r.next;
        const text = partial + r.text;
        // Whole lines while it runs; all of it once the runner says the step ended.
        const cut = r.running ? text.lastIndexOf('\n') + 1 : text.length;
        partial = text.slice(cut);
        const lines = text.slice(0, cut).replace(/\n$/, '');
        if (cut > 0 && lines) await log(lines);
        if (!r.running) return true;
      }
      if (last) return known;
      await new Promise<void>((res) => {
        wake = res;
        setTimeout(res, STREAM_EVERY_MS);
      });
    }
  })();
  return {
    stop: () => {
      stopped = true;
      wake();
    },
    done,
  };
}

export async function runRecipe(
  client: RunnerClient,
  recipe: Recipe,
  base: ImageInfo,
  ctx: { orgId: string | null; context: { sha256: string; base64: string } | null; stopped?: () => Promise<boolean> },
  log: Log,
): Promise<RecipeResult> {
  const limits = await stepLimits(ctx.orgId);
  const config: TemplateImageConfig = { ...base.config, env: { ...base.config.env } };
  const args: Record<string, string> = {};
  let parent = base.digest;
  // Per org: another org's identical recipe never finds these layers (no probing whether
  // someone built a given step, nothing fetched by one tenant's RUN served to another).
  let key = sha(`warren-recipe-v1\0${ctx.orgId ?? 'platform'}\0${base.digest}`);
  let sizeBytes = base.sizeBytes;
  let contextSent = false;
  const total = recipe.steps.length;
  const vars = () => ({ ...args, ...config.env });
  const cwd = () => config.workingDir;
  const user = (): 'root' | 'user' => sandboxUserOf(config.user ?? '') ?? 'root';

  for (const [i, s] of recipe.steps.entries()) {
    // A cancelled build (or an org that can no longer pay) runs no further step.
    if (await ctx.stopped?.()) throw new AppError('cancelled', `Build stopped before step ${i + 1}/${recipe.steps.length}`);
    const head = `Step ${i + 1}/${total} : ${describeStep(s)}`;
    if (s.op === 'from') {
      await log(`${head}\n ---> ${base.digest}`);
      continue;
    }
    let step: BuildStepInput['step'] = { type: 'config' };
    switch (s.op) {
      case 'env':
        for (const [k, v] of Object.entries(s.vars)) config.env[k] = expandVars(v, vars());
        break;
      case 'arg':
        args[s.name] = s.value === null ? (args[s.name] ?? '') : expandVars(s.value, vars());
        break;
      case 'user': {
        const u = expandVars(s.user, vars());
        if (!sandboxUserOf(u)) throw new BuildStepFailed(`${head} failed: USER ${u}: a Warren sandbox has two users, root (0) and user (1000)`);
        config.user = u;
        break;
      }
      case 'cmd':
        config.cmd = s.argv;
        break;
      case 'entrypoint':
        config.entrypoint = s.argv;
        config.cmd = [];
        break;
      case 'workdir':
        config.workingDir = path.posix.resolve(cwd() ?? '/', expandVars(s.path, vars()));
        // Docker makes the directory (as root): a step of its own, so it is in the image.
        step = { type: 'run', cmd: ['mkdir', '-p', config.workingDir], shell: false, user: 'root', env: {}, cwd: '/' };
        break;
      case 'run':
        step = { type: 'run', cmd: s.cmd, shell: s.shell, user: user(), env: { ...args, ...config.env }, cwd: cwd() };
        break;
      case 'copy': {
        if (!ctx.context) throw new BuildStepFailed(`${head} failed: COPY needs a build context (contextBase64) and this template has none`);
        const dest = expandVars(s.dest, vars());
        step = { type: 'copy', context: ctx.context.sha256, src: s.src.map((x) => expandVars(x, vars())), dest, cwd: cwd() };
        break;
      }
    }
    key = sha(`${key}\0${JSON.stringify(step)}\0${JSON.stringify(config)}`);
    if (step.type === 'copy' && !contextSent && !(await has(client, `sha256:${key}`))) {
      if (!(await client.images.hasContext(ctx.context!.sha256))) await client.images.putContext(ctx.context!.sha256, Buffer.from(ctx.context!.base64, 'base64'));
      contextSent = true;
    }
    // The step's header now, its output as it comes (a RUN's, polled from the runner), its
    // result line when it ends.
    await log(head);
    const outputId = crypto.randomBytes(16).toString('hex');
    const stream = step.type === 'run' ? streamStepOutput(client, outputId, log) : null;
    // Whatever the step's answer (an error too), the stream ends before anything else is logged.
    const r = await client.images.buildStep({ parent, key, step, config, ...limits, ...(stream && { outputId }) }).finally(async () => {
      stream?.stop();
      await stream?.done.catch(() => false);
    });
    const streamed = stream ? await stream.done.catch(() => false) : false;
    const output = streamed ? '' : r.output.trimEnd();
    if (output) await log(output);
    if (!r.ok) {
      const why = r.timedOut ? `timed out after ${limits.timeoutSec} s` : `exited with code ${r.exitCode}`;
      throw new BuildStepFailed(`${head} failed: the command ${why}`);
    }
    const layered = step.type !== 'config';
    const tail = r.cached ? ' ---> CACHED' : layered ? ` ---> ran in ${(r.durationMs / 1000).toFixed(1)} s` : ' ---> config';
    await log(`${tail} ${key.slice(0, 12)}`);
    parent = r.image.digest;
    sizeBytes = r.image.sizeBytes;
  }
  return { digest: parent, config, sizeBytes };
}
