import { eq } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import { AppError } from '@/lib/errors';
import { logger } from '@/lib/logger';
import { type RunnerClient, RunnerError } from '@/lib/runner-client';
import type { TemplateImageConfig } from '@/db/schema/templates';
import { registryCredentials, templateColumns } from './templates';

const { templates, templateBuilds } = schema;

/** `host:5000/team/app:1` or `…@sha256:x` → `host:5000/team/app` (a tag's colon is after the last slash). */
export function repositoryOf(reference: string): string {
  const noDigest = reference.split('@')[0]!;
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > slash ? noDigest.slice(0, colon) : noDigest;
}

export type TemplateImage = { digest: string; config: TemplateImageConfig | null; startCommand: boolean };

/**
 * The image of a template build on `client`'s runner: already there (the build ran there, or an
 * earlier sandbox pulled it), or pulled now by digest, so a sandbox always runs exactly the
 * build's version even if the tag moved since.
 */
export async function ensureTemplateImage(client: RunnerClient, buildId: string): Promise<TemplateImage> {
  const db = await getDb();
  const [build] = await db.select().from(templateBuilds).where(eq(templateBuilds.id, buildId));
  if (!build?.imageDigest) throw new Error(`template build ${buildId} has no image`);
  const have = await client.images.get(build.imageDigest).catch((err) => {
    if (err instanceof RunnerError && err.status === 404) return null;
    throw err;
  });
  const [tpl] = await db.select(templateColumns).from(templates).where(eq(templates.id, build.templateId));
  if (!have && tpl?.recipe) {
    // A recipe build's layers exist only on the runner that built it (no registry holds them).
    throw new RunnerError(409, 'conflict', `Template ${tpl.name} was built on runner ${build.runnerId}; rebuild it to use it on another runner`);
  }
  if (!have) {
    const creds = tpl ? await registryCredentials(tpl) : {};
    await client.images.pull({ reference: `${repositoryOf(build.image)}@${build.imageDigest}`, ...creds });
  }
  return { digest: build.imageDigest, config: build.imageConfig, startCommand: tpl?.startCommand ?? false };
}

/**
 * A template with `startCommand` runs its image's Entrypoint + Cmd in the background once the
 * sandbox is up (its output is the process's, under GET …/processes). As `root` when the image
 * runs as root (no User, or 0/root), else as `user`: Warren's two identities.
 */
export async function startTemplateCommand(client: RunnerClient, sandboxId: string, image: TemplateImage): Promise<void> {
  const cmd = [...(image.config?.entrypoint ?? []), ...(image.config?.cmd ?? [])];
  if (!image.startCommand || !cmd.length) return;
  const u = image.config?.user?.split(':')[0] ?? '';
  const user = u === '' || u === '0' || u === 'root' ? 'root' : 'user';
  await client.processes.start(sandboxId, { cmd, user }).catch((err) => logger.warn({ err, sandboxId }, 'template start command failed to start'));
}

/**
 * A template's ready command (`sh -c`, as root) is run until it exits 0, up to the template's
 * timeout; each try gets the time left (at most 10 s). Past the timeout the create fails with
 * `ready_check_failed`, naming the last exit code and output, and the caller deletes the sandbox.
 */
export async function awaitTemplateReady(client: RunnerClient, sandboxId: string, templateId: string): Promise<void> {
  const db = await getDb();
  const [tpl] = await db.select(templateColumns).from(templates).where(eq(templates.id, templateId));
  if (!tpl?.readyCommand) return;
  const deadline = Date.now() + tpl.readyTimeoutSec * 1000;
  let last = '';
  for (let tries = 1; ; tries++) {
    const left = Math.ceil((deadline - Date.now()) / 1000);
    const r = await client.exec(sandboxId, { cmd: ['/bin/sh', '-c', tpl.readyCommand], user: 'root', timeoutSec: Math.max(1, Math.min(10, left)) });
    if (r.exitCode === 0) return;
    const out = `${r.stderr || r.stdout}`.trim().split('\n').slice(-2).join(' | ').slice(0, 300);
    last = r.timedOut ? 'the last try timed out' : `last exit code ${r.exitCode ?? r.signal}${out ? `: ${out}` : ''}`;
    if (Date.now() + 500 >= deadline) {
      // Gone at once (the caller soft-deletes the row), not left running for the reconciler.
      await client.delete(sandboxId).catch((err) => logger.warn({ err, sandboxId }, 'a sandbox that never got ready was not deleted'));
      throw new AppError('ready_check_failed', `Template ${tpl.name}: its ready command did not succeed within ${tpl.readyTimeoutSec} s (${tries} tries; ${last})`, {
        readyCommand: tpl.readyCommand,
      });
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}
