import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { Logger } from 'pino';
import { AppError, badRequest } from '@/lib/errors';
import { run } from '../runtime/exec-file';
import { KeyedLock } from '../sandbox/keyed-lock';
import type { LocalSandboxManager } from '../sandbox/local-manager';
import { sandboxPaths, UID_COUNT } from '../sandbox/paths';
import type { SandboxResources } from '../sandbox/types';
import { commandEnv, identity } from '../services/command-env';
import type { ImageInfo } from './image-store';
import { cleanPath, unpackLayer } from './layer-unpack';
import type { ImageConfig } from './oci-layout';

/**
 * One step of a recipe build (lib/templates/recipe.ts) on this runner. Each step's result is an
 * image record named by the step's cache key (`sha256:<key>`, a hash the console computes over
 * the parent's key, the step and, for COPY, the context's digest), so a step whose key is
 * already here is CACHED: nothing runs. A RUN or COPY runs in a real sandbox made from the
 * parent image (egress on for RUN, the plan's limits), and the sandbox's writable layer, frozen
 * and copied with canonical ownership as snapshots are, becomes layer `bld-<key>` on top of the
 * parent's layers. Config-only steps (ENV, WORKDIR, USER, CMD…) add no layer.
 *
 * A layer dir appears only by rename once complete and its record after it: a step killed
 * midway leaves `bld-*.tmp-*` and `ctx-*` dirs, which `init` removes.
 */
export type BuildStep =
  | { type: 'config' }
  | { type: 'run'; cmd: string[]; shell: boolean; user: 'root' | 'user'; env: Record<string, string>; cwd: string | null }
  | { type: 'copy'; context: string; src: string[]; dest: string; cwd: string | null };

export type BuildStepInput = {
  parent: string;
  key: string;
  step: BuildStep;
  /** The config of the resulting image (the console tracks ENV, WORKDIR, USER, CMD…). */
  config: ImageConfig;
  resources: Partial<SandboxResources>;
  timeoutSec: number;
  /** The caller's name for this call's live output (`output(outputId)` while a RUN runs). */
  outputId?: string;
};

export type BuildStepResult =
  | { ok: true; cached: boolean; image: ImageInfo; output: string; durationMs: number }
  | { ok: false; exitCode: number; timedOut: boolean; output: string; durationMs: number };

/** Where the build context is mounted inside a COPY step's sandbox (a lower layer, never committed). */
const CONTEXT_MOUNT = '.warren-build-context';
/** Cap on a context tar the runner stores; the console's own cap is lower (README: Limits). */
export const MAX_CONTEXT_BYTES = 256 * 1024 ** 2;
/** Output of a step kept for the build log (each of stdout and stderr). */
const MAX_STEP_OUTPUT = 256 * 1024;

export const buildLayerName = (key: string) => `bld-${key}`;

export class BuildSteps {
  private lock = new KeyedLock();
  /**
   * When a build last used a step record (`sha256:…`) or a context (`ctx:<hex>`): the GC
   * (build-gc.ts) leaves young ones alone, since a build between two steps is named nowhere yet.
   */
  readonly touched = new Map<string, number>();
  /** Records and layers a running step needs (its parent, its result before its record exists). */
  readonly busy = new Map<string, number>();
  /**
   * A RUN's output so far, by the caller's output id, as it arrives (the console polls it into the build log
   * while the step runs); kept a minute after the step ends for the last poll.
   */
  private live = new Map<string, { text: string; running: boolean }>();

  constructor(
    readonly m: LocalSandboxManager,
    private readonly log: Logger,
  ) {}

  get contextsDir() {
    return path.join(this.m.cfg.dirs.dataDir, 'build-contexts');
  }

  private touch(...names: string[]) {
    for (const n of names) this.touched.set(n, Date.now());
  }

  private async holding<T>(names: string[], fn: () => Promise<T>): Promise<T> {
    for (const n of names) this.busy.set(n, (this.busy.get(n) ?? 0) + 1);
    try {
      return await fn();
    } finally {
      for (const n of names) {
        const left = (this.busy.get(n) ?? 1) - 1;
        if (left > 0) this.busy.set(n, left);
        else this.busy.delete(n);
      }
    }
  }

  init(): void {
    fs.mkdirSync(this.contextsDir, { recursive: true, mode: 0o700 });
    for (const name of fs.readdirSync(this.contextsDir)) if (name.includes('.tmp')) fs.rmSync(path.join(this.contextsDir, name), { force: true });
    const layers = this.m.paths.layersDir;
    for (const name of fs.existsSync(layers) ? fs.readdirSync(layers) : []) {
      if (name.startsWith('ctx-') || (name.startsWith('bld-') && name.includes('.tmp'))) fs.rmSync(path.join(layers, name), { recursive: true, force: true });
    }
  }

  hasContext(digest: string): boolean {
    const present = fs.existsSync(this.contextPath(digest));
    if (present) this.touch(`ctx:${digest}`);
    return present;
  }

  private contextPath(digest: string) {
    if (!/^[a-f0-9]{64}$/.test(digest)) throw badRequest('A build context is named by its sha256 (64 hex digits)');
    return path.join(this.contextsDir, `${digest}.tar`);
  }

  /** Stores an uploaded context tar under its own sha256 (checked against the name it was sent as). */
  async putContext(digest: string, body: AsyncIterable<Buffer>): Promise<void> {
    const final = this.contextPath(digest);
    const tmp = `${final}.tmp-${crypto.randomBytes(4).toString('hex')}`;
    const hash = crypto.createHash('sha256');
    const fd = fs.openSync(tmp, 'wx', 0o600);
    let size = 0;
    try {
      for await (const chunk of body) {
        size += chunk.length;
        if (size > MAX_CONTEXT_BYTES) throw new AppError('payload_too_large', `A build context is at most ${MAX_CONTEXT_BYTES / 1024 ** 2} MiB`);
        hash.update(chunk);
        fs.writeSync(fd, chunk);
      }
      fs.closeSync(fd);
      if (hash.digest('hex') !== digest) throw badRequest('The build context does not match its digest');
      fs.renameSync(tmp, final);
      this.touch(`ctx:${digest}`);
    } catch (err) {
      try {
        fs.closeSync(fd);
      } catch {}
      fs.rmSync(tmp, { force: true });
      throw err;
    }
  }

  async step(input: BuildStepInput): Promise<BuildStepResult> {
    if (!/^[a-f0-9]{64}$/.test(input.key)) throw badRequest('A build step key is 64 hex digits');
    const digest = `sha256:${input.key}`;
    const names = [digest, input.parent, buildLayerName(input.key), ...(input.step.type === 'copy' ? [`ctx:${input.step.context}`] : [])];
    this.touch(...names);
    return this.lock.run(input.key, () => this.holding(names, async (): Promise<BuildStepResult> => {
      const started = Date.now();
      const have = this.m.images.find(digest);
      if (have) return { ok: true, cached: true, image: have, output: '', durationMs: 0 };
      const parent = this.m.images.get(input.parent);
      if (input.step.type === 'config') {
        const image = this.m.images.register({ ...parent, digest, parent: parent.digest, reference: `build:${input.key.slice(0, 12)}`, config: input.config, pulledAt: new Date().toISOString() });
        return { ok: true, cached: false, image, output: '', durationMs: Date.now() - started };
      }
      const done = input.step.type === 'run' ? await this.runStep(parent, input, input.step) : await this.copyStep(parent, input, input.step);
      if (!done.ok) return { ...done, durationMs: Date.now() - started };
      const image = this.m.images.register({
        digest,
        reference: `build:${input.key.slice(0, 12)}`,
        layers: [buildLayerName(input.key), ...parent.layers],
        config: input.config,
        parent: parent.digest,
        sizeBytes: parent.sizeBytes + done.bytes,
        pulledAt: new Date().toISOString(),
      });
      return { ok: true, cached: false, image, output: done.output, durationMs: Date.now() - started };
    }).finally(() => this.touch(...names)));
  }

  /** A RUN's output from character `from` on (`known` false: no such step ran here lately). */
  output(outputId: string, from: number): { text: string; next: number; running: boolean; known: boolean } {
    const l = this.live.get(outputId);
    if (!l) return { text: '', next: from, running: false, known: false };
    return { text: l.text.slice(from), next: l.text.length, running: l.running, known: true };
  }

  private async runStep(parent: ImageInfo, input: BuildStepInput, step: Extract<BuildStep, { type: 'run' }>) {
    // The shell form's output is one stream, in order, as a terminal would show it.
    const argv = step.shell ? ['/bin/sh', '-c', `exec 2>&1\n${step.cmd[0]}`] : step.cmd;
    const live = { text: '', running: true };
    const decoder = new StringDecoder('utf8');
    const outputId = input.outputId;
    if (outputId) this.live.set(outputId, live);
    const onOutput = (chunk: Buffer) => {
      if (live.text.length >= MAX_STEP_OUTPUT) return;
      live.text += decoder.write(chunk);
      if (live.text.length >= MAX_STEP_OUTPUT) live.text = `${live.text.slice(0, MAX_STEP_OUTPUT)}\n[output truncated]\n`;
    };
    try {
      return await this.runIn(parent, input, step, argv, onOutput);
    } finally {
      if (live.text.length < MAX_STEP_OUTPUT) live.text += decoder.end();
      live.running = false;
      if (outputId) setTimeout(() => this.live.delete(outputId), 60_000).unref();
    }
  }

  private runIn(parent: ImageInfo, input: BuildStepInput, step: Extract<BuildStep, { type: 'run' }>, argv: string[], onOutput: (chunk: Buffer) => void) {
    return this.inSandbox(parent.digest, input, { mode: 'egress' }, async (id) => {
      const info = this.m.get(id);
      const who = identity(step.user);
      const r = await this.m.agent(id).exec({
        argv,
        env: commandEnv(info, step.user, step.env),
        cwd: step.cwd ?? who.home,
        uid: who.uid,
        gid: who.gid,
        timeoutMs: input.timeoutSec * 1000,
        maxOutputBytes: MAX_STEP_OUTPUT,
        onOutput,
      });
      const output = `${r.stdout.toString('utf8')}${r.stderr.toString('utf8')}${r.truncated ? '\n[output truncated]' : ''}`;
      return { exitCode: r.exitCode, timedOut: r.timedOut, output };
    });
  }

  /**
   * COPY: the context is unpacked by the same hostile-proof reader as image layers (no `..`,
   * nothing written through a symlink, devices dropped, setuid cleared) into a layer of its own,
   * owned by root as Docker's COPY makes files. `cp -a` then runs as root *inside* the sandbox,
   * so the destination and any symlink of the context resolve in the sandbox's root only.
   */
  private async copyStep(parent: ImageInfo, input: BuildStepInput, step: Extract<BuildStep, { type: 'copy' }>) {
    const tarPath = this.contextPath(step.context);
    if (!fs.existsSync(tarPath)) throw badRequest('The build context was not uploaded to this runner');
    const ctxLayer = `ctx-${crypto.randomBytes(6).toString('hex')}`;
    const ctxDir = path.join(this.m.paths.layersDir, ctxLayer);
    const tmpDigest = `sha256:${crypto.randomBytes(32).toString('hex')}`;
    try {
      fs.mkdirSync(ctxDir, { mode: 0o755 });
      const gz = fs.readFileSync(tarPath).subarray(0, 2).equals(Buffer.from([0x1f, 0x8b]));
      try {
        await unpackLayer(tarPath, gz ? 'application/vnd.oci.image.layer.v1.tar+gzip' : 'application/vnd.oci.image.layer.v1.tar', path.join(ctxDir, CONTEXT_MOUNT), MAX_CONTEXT_BYTES * 4, 200_000);
      } catch (err) {
        throw badRequest(`The build context cannot be used: ${(err as Error).message}`);
      }
      await run('chown', ['-R', '-h', '0:0', path.join(ctxDir, CONTEXT_MOUNT)]);
      const sources = step.src.map((s) => this.contextSource(path.join(ctxDir, CONTEXT_MOUNT), s));
      this.m.images.register({ ...parent, digest: tmpDigest, layers: [ctxLayer, ...parent.layers] }, false);
      this.busy.set(tmpDigest, 1);
      // Positional arguments, never interpolated: `$1` is the destination, the rest sources.
      const script = [
        'set -e',
        'dest="$1"; shift',
        'case "$dest" in */) dir=1 ;; *) dir=$([ $# -gt 1 ] && echo 1 || echo 0) ;; esac',
        'for src in "$@"; do',
        '  if [ -d "$src" ] && [ ! -L "$src" ]; then mkdir -p "$dest"; cp -a "$src/." "$dest/";',
        '  elif [ "$dir" = 1 ] || [ -d "$dest" ]; then mkdir -p "$dest"; cp -a "$src" "$dest/";',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not JS
        '  else d="${dest%/*}"; if [ -n "$d" ] && [ "$d" != "$dest" ]; then mkdir -p "$d"; fi; cp -a "$src" "$dest"; fi',
        'done',
      ].join('\n');
      return await this.inSandbox(tmpDigest, input, { mode: 'none' }, async (id) => {
        const info = this.m.get(id);
        const r = await this.m.agent(id).exec({
          argv: ['/bin/sh', '-c', script, 'copy', step.dest, ...sources.map((s) => `/${CONTEXT_MOUNT}/${s}`)],
          env: commandEnv(info, 'root'),
          cwd: step.cwd ?? '/',
          uid: 0,
          gid: 0,
          timeoutMs: input.timeoutSec * 1000,
          maxOutputBytes: MAX_STEP_OUTPUT,
        });
        const output = `${r.stdout.toString('utf8')}${r.stderr.toString('utf8')}`;
        return { exitCode: r.exitCode, timedOut: r.timedOut, output: r.exitCode === 0 ? '' : `COPY needs /bin/sh and cp in the image: ${output}` };
      });
    } finally {
      this.busy.delete(tmpDigest);
      this.m.images.forget(tmpDigest);
      fs.rmSync(ctxDir, { recursive: true, force: true });
    }
  }

  /** A COPY source inside the context: no `..`, never through a symlink, and it must exist. */
  private contextSource(root: string, src: string): string {
    let parts: string[] | null;
    try {
      parts = cleanPath(src);
    } catch {
      throw badRequest(`COPY source ${JSON.stringify(src)} points outside the build context`);
    }
    if (!parts) return '.';
    let cur = root;
    for (const [i, name] of parts.entries()) {
      cur = path.join(cur, name);
      const st = fs.lstatSync(cur, { throwIfNoEntry: false });
      if (!st) throw badRequest(`COPY source ${JSON.stringify(src)} is not in the build context`);
      if (st.isSymbolicLink() && i < parts.length - 1) throw badRequest(`COPY source ${JSON.stringify(src)} goes through a symlink of the build context`);
    }
    return parts.join('/');
  }

  /**
   * A sandbox from `image` for one step: `fn` runs in it, and when it exits 0 the sandbox's
   * writable layer (frozen meanwhile) is copied into `bld-<key>` with canonical ownership.
   * The sandbox is removed whatever happens.
   */
  private async inSandbox(
    image: string,
    input: BuildStepInput,
    network: { mode: 'egress' | 'none' },
    fn: (id: string) => Promise<{ exitCode: number; timedOut: boolean; output: string }>,
  ): Promise<{ ok: true; bytes: number; output: string } | { ok: false; exitCode: number; timedOut: boolean; output: string }> {
    const id = `bld${crypto.randomBytes(8).toString('hex')}`;
    await this.m.create({ id, image, template: `build:${input.key.slice(0, 12)}`, network, resources: input.resources, metadata: { warren_build: input.key }, timeoutSec: input.timeoutSec + 60 });
    try {
      const r = await fn(id);
      if (r.exitCode !== 0 || r.timedOut) return { ok: false, ...r };
      const bytes = await this.commit(id, buildLayerName(input.key));
      return { ok: true, bytes, output: r.output };
    } finally {
      await this.m.delete(id).catch((err) => this.log.warn({ err, sandbox: id }, 'could not remove a build sandbox'));
    }
  }

  private async commit(id: string, layer: string): Promise<number> {
    const rec = this.m.table.get(id);
    const final = path.join(this.m.paths.layersDir, layer);
    const tmp = `${final}.tmp-${crypto.randomBytes(4).toString('hex')}`;
    return this.m.lock.run(rec.key, async () => {
      await this.m.cfg.runtime.pause(rec.key);
      try {
        let bytes: number;
        if (rec.storage === 'btrfs') {
          // Stored under canonical ids already: a plain copy keeps owners, whiteouts and xattrs.
          await run('cp', ['-a', '--reflink=auto', path.join(this.m.storage.btrfs!.sandboxDir(rec.key), 'upper'), tmp]);
          bytes = Number((await run('du', ['-sb', tmp])).split('\t')[0]) || 0;
        } else {
          const p = sandboxPaths(this.m.cfg.dirs, rec.key);
          bytes = Number((await run(this.m.deps.mountHelper, ['shiftcopy', '--uid-base', String(rec.uidBase), '--count', String(UID_COUNT), p.upper, tmp])).trim()) || 0;
        }
        // Runtime files of the build sandbox itself are not the image's. The copy is the
        // sandbox's writing: `etc` may be a symlink aimed at a host path, so only a real
        // directory's real files go (lstat; nothing else writes the copy, so no race).
        const etc = path.join(tmp, 'etc');
        if (fs.lstatSync(etc, { throwIfNoEntry: false })?.isDirectory()) {
          for (const f of ['hosts', 'hostname', 'resolv.conf']) {
            if (fs.lstatSync(path.join(etc, f), { throwIfNoEntry: false })?.isFile()) fs.unlinkSync(path.join(etc, f));
          }
        }
        fs.chmodSync(tmp, 0o755);
        // A layer whose record a crash never wrote: this step makes it again, whole.
        fs.rmSync(final, { recursive: true, force: true });
        fs.renameSync(tmp, final);
        return bytes;
      } catch (err) {
        fs.rmSync(tmp, { recursive: true, force: true });
        throw err;
      } finally {
        await this.m.cfg.runtime.resume(rec.key).catch(() => {});
      }
    });
  }
}
