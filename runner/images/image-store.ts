import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { AppError, notFound } from '@/lib/errors';
import { run } from '../runtime/exec-file';
import { KeyedLock } from '../sandbox/keyed-lock';
import { readJsonDir, writeJsonAtomic } from '../sandbox/store';
import { DEFAULT_MAX_LAYER_BYTES, unpackLayer } from './layer-unpack';
import { type ImageConfig, readOciImage } from './oci-layout';
import { pullError, refuseForbiddenRegistry, registryHost, validateReference } from './registry';

/**
 * OCI images on this runner: pulled with skopeo into a temporary OCI layout, each layer unpacked
 * once into the layer store as `img-<diff_id hex>` (content-addressed by the digest of its
 * uncompressed tar, so images and orgs that share a base share its layers), and a record per
 * image (`images/<manifest hex>.json`) naming its layers and config. A layer dir appears only by
 * rename after its digest checked out, and a record only after all its layers exist: a pull that
 * fails or dies leaves temp dirs, which `init` removes, never a half-made layer or image.
 */
export type ImageInfo = {
  digest: string;
  reference: string;
  /** Layer dir names, topmost first (how overlay's lowerdir lists them). */
  layers: string[];
  config: ImageConfig;
  /**
   * A recipe step's record: the image it was built on (runner/images/build-gc.ts keeps the
   * ancestors of a kept step, so an unchanged prefix stays cached).
   */
  parent?: string;
  /** Bytes of the unpacked files. */
  sizeBytes: number;
  pulledAt: string;
};

/** `pullId`: the caller's name for this pull, so `cancel(pullId)` can stop it. */
export type PullInput = { reference: string; username?: string; password?: string; pullId?: string };

export const layerDirName = (diffId: string) => `img-${diffId.replace(/^sha256:/, '')}`;

export class ImageStore {
  private byDigest = new Map<string, ImageInfo>();
  private layerLock = new KeyedLock();
  private pulling = 0;
  /** Running pulls by the caller's pull id: cancel aborts skopeo and the unpack between layers. */
  private aborts = new Map<string, AbortController>();

  constructor(
    private readonly dirs: { layersDir: string; imagesDir: string; pullsDir: string },
    private readonly log: Logger,
    /** Layer names in use by sandboxes and snapshots (never garbage-collected). */
    private readonly layersInUse: () => Set<string>,
    private readonly insecureHosts: string[] = [],
    private readonly maxLayerBytes = DEFAULT_MAX_LAYER_BYTES,
  ) {}

  init(): void {
    for (const d of [this.dirs.imagesDir, this.dirs.pullsDir]) fs.mkdirSync(d, { recursive: true, mode: 0o700 });
    // Leftovers of pulls a crash cut short: their layouts and unfinished layer dirs.
    for (const name of fs.readdirSync(this.dirs.pullsDir)) fs.rmSync(path.join(this.dirs.pullsDir, name), { recursive: true, force: true });
    for (const name of fs.readdirSync(this.dirs.layersDir)) {
      if (name.startsWith('img-') && name.includes('.tmp-')) fs.rmSync(path.join(this.dirs.layersDir, name), { recursive: true, force: true });
    }
    for (const img of readJsonDir<ImageInfo>(this.dirs.imagesDir)) {
      // A record whose layers are not all there is not an image (a store emptied by hand).
      if (img.layers.every((l) => fs.existsSync(path.join(this.dirs.layersDir, l)))) this.byDigest.set(img.digest, img);
    }
    this.sweepOrphans();
  }

  /**
   * Layers no image, sandbox or snapshot names: what a pull that failed after some of its layers
   * (each complete) leaves. Only when no pull is running: a pull's new layers have no image yet.
   */
  private sweepOrphans(): void {
    if (this.pulling > 0) return;
    const keep = new Set([...this.list().flatMap((i) => i.layers), ...this.layersInUse()]);
    for (const name of fs.readdirSync(this.dirs.layersDir)) {
      if (!name.startsWith('img-') || name.includes('.') || keep.has(name)) continue;
      fs.rmSync(`${path.join(this.dirs.layersDir, name)}.size`, { force: true });
      fs.rmSync(path.join(this.dirs.layersDir, name), { recursive: true, force: true });
    }
  }

  list(): ImageInfo[] {
    return [...this.byDigest.values()];
  }

  find(digest: string): ImageInfo | undefined {
    return this.byDigest.get(digest);
  }

  /**
   * Records an image made on this runner (a recipe build's step: runner/images/build-steps.ts)
   * whose layers all exist; `persist: false` for a build's short-lived stacks.
   */
  register(info: ImageInfo, persist = true): ImageInfo {
    if (persist) writeJsonAtomic(path.join(this.dirs.imagesDir, `${info.digest.slice('sha256:'.length)}.json`), info);
    this.byDigest.set(info.digest, info);
    return info;
  }

  /** Drops an unpersisted record (its layers are the caller's to remove). */
  forget(digest: string): void {
    this.byDigest.delete(digest);
  }

  /**
   * Removes a record (its file first: once it is gone nothing names its layers, and a sweep,
   * or the next start's, removes those no one else uses). Its layers are the caller's.
   */
  evict(digest: string): void {
    fs.rmSync(path.join(this.dirs.imagesDir, `${digest.slice('sha256:'.length)}.json`), { force: true });
    this.byDigest.delete(digest);
  }

  /** Every layer an image record, a sandbox or a snapshot names: what no sweep may remove. */
  namedLayers(): Set<string> {
    return new Set([...this.list().flatMap((i) => i.layers), ...this.layersInUse()]);
  }

  get(digest: string): ImageInfo {
    const img = this.byDigest.get(digest);
    if (!img) throw notFound(`Image ${digest}`);
    return img;
  }

  async pull(input: PullInput): Promise<ImageInfo> {
    const reference = validateReference(input.reference);
    await refuseForbiddenRegistry(registryHost(reference));
    const work = path.join(this.dirs.pullsDir, crypto.randomBytes(8).toString('hex'));
    fs.mkdirSync(work, { mode: 0o700 });
    this.pulling++;
    let ok = false;
    const abort = new AbortController();
    if (input.pullId) {
      // The same id again is a console that restarted mid-build and resumed it: the new call
      // takes over and the orphaned one (nobody reads its answer) stops.
      this.aborts.get(input.pullId)?.abort();
      this.aborts.set(input.pullId, abort);
    }
    const cancelled = () => new AppError('cancelled', `The pull of ${reference} was cancelled`);
    try {
      const args = ['--insecure-policy', 'copy', '--quiet', '--retry-times', '1'];
      const host = registryHost(reference);
      if (this.insecureHosts.includes(host.replace(/:\d+$/, '')) || this.insecureHosts.includes(host)) args.push('--src-tls-verify=false');
      if (input.username !== undefined) {
        // Credentials go in a root-only file, never on a command line (visible in ps).
        const authFile = path.join(work, 'auth.json');
        const auth = Buffer.from(`${input.username}:${input.password ?? ''}`).toString('base64');
        fs.writeFileSync(authFile, JSON.stringify({ auths: { [host]: { auth } } }), { mode: 0o600 });
        args.push('--src-authfile', authFile);
      } else {
        args.push('--src-no-creds');
      }
      const layout = path.join(work, 'layout');
      try {
        // No file skopeo writes (a blob) may exceed the layer cap: a registry serving an endless
        // blob would otherwise fill the runner's disk before any unpack could count it.
        await run('prlimit', [`--fsize=${this.maxLayerBytes}`, '--', 'skopeo', ...args, `docker://${reference}`, `oci:${layout}:image`], {
          timeout: 15 * 60_000,
          signal: abort.signal,
          endsWithRunner: true,
        });
      } catch (err) {
        if (abort.signal.aborted) throw cancelled();
        const stderr = String((err as { stderr?: string }).stderr || (err as Error).message);
        if (/file too large|file size limit/i.test(stderr)) {
          throw new AppError('image_invalid', `Image ${reference} has a blob larger than ${Math.floor(this.maxLayerBytes / 1024 ** 2)} MiB (WARREN_RUNNER_MAX_LAYER_MB)`);
        }
        throw pullError(reference, stderr);
      }
      let image: ReturnType<typeof readOciImage>;
      try {
        image = readOciImage(layout);
      } catch (err) {
        throw new AppError('image_invalid', `Image ${reference} cannot be used: ${(err as Error).message}`);
      }
      let sizeBytes = 0;
      const layers: string[] = [];
      for (const l of image.layers) {
        if (abort.signal.aborted) throw cancelled();
        sizeBytes += await this.layerLock.run(l.diffId, () => this.ensureLayer(l, reference));
        layers.unshift(layerDirName(l.diffId));
      }
      if (abort.signal.aborted) throw cancelled();
      const info: ImageInfo = { digest: image.manifestDigest, reference, layers, config: image.config, sizeBytes, pulledAt: new Date().toISOString() };
      writeJsonAtomic(path.join(this.dirs.imagesDir, `${info.digest.slice('sha256:'.length)}.json`), info);
      this.byDigest.set(info.digest, info);
      this.log.info({ reference, digest: info.digest, layers: layers.length }, 'image pulled');
      ok = true;
      return info;
    } finally {
      if (input.pullId && this.aborts.get(input.pullId) === abort) this.aborts.delete(input.pullId);
      fs.rmSync(work, { recursive: true, force: true });
      this.pulling--;
      if (!ok) this.sweepOrphans();
    }
  }

  /**
   * Stops a running pull: skopeo is killed, an unpack stops before its next layer, and the pull
   * answers `cancelled` after sweeping what it made. False when no such pull runs (it finished).
   */
  cancel(pullId: string): boolean {
    const abort = this.aborts.get(pullId);
    if (!abort) return false;
    abort.abort();
    return true;
  }

  /** Unpacks a layer unless it is already in the store; returns its unpacked size. */
  private async ensureLayer(l: { mediaType: string; blob: string; diffId: string }, reference: string): Promise<number> {
    const final = path.join(this.dirs.layersDir, layerDirName(l.diffId));
    const sizeFile = `${final}.size`;
    if (fs.existsSync(final)) return Number(fs.existsSync(sizeFile) ? fs.readFileSync(sizeFile, 'utf8') : 0) || 0;
    const tmp = `${final}.tmp-${crypto.randomBytes(4).toString('hex')}`;
    try {
      const stats = await unpackLayer(l.blob, l.mediaType, tmp, this.maxLayerBytes);
      if (stats.diffId !== l.diffId) throw new Error(`layer ${l.diffId} does not match its digest (got ${stats.diffId}): the layer is corrupt`);
      fs.chmodSync(tmp, 0o755);
      fs.writeFileSync(sizeFile, String(stats.bytes));
      fs.renameSync(tmp, final);
      if (stats.droppedDevices || stats.clearedSetuid) {
        this.log.info({ layer: l.diffId, droppedDevices: stats.droppedDevices, clearedSetuid: stats.clearedSetuid }, 'layer content neutralised');
      }
      return stats.bytes;
    } catch (err) {
      fs.rmSync(tmp, { recursive: true, force: true });
      if (err instanceof AppError) throw err;
      throw new AppError('image_invalid', `Image ${reference} has a layer Warren refuses: ${(err as Error).message}`);
    }
  }

  /**
   * Forgets an image and removes its layers that nothing else (another image, a sandbox, a
   * snapshot) uses. Layers a sandbox or snapshot still stands on stay (their records name them)
   * and go with a later sweep once unused; layers earlier deletes left behind like that are swept now.
   */
  delete(digest: string): { keptLayers: number } {
    const img = this.get(digest);
    fs.rmSync(path.join(this.dirs.imagesDir, `${digest.slice('sha256:'.length)}.json`), { force: true });
    this.byDigest.delete(digest);
    const keep = new Set([...this.list().flatMap((i) => i.layers), ...this.layersInUse()]);
    let keptLayers = 0;
    for (const l of img.layers) {
      if (keep.has(l)) {
        keptLayers++;
        continue;
      }
      const dir = path.join(this.dirs.layersDir, l);
      fs.rmSync(`${dir}.size`, { force: true });
      fs.rmSync(dir, { recursive: true, force: true });
    }
    this.sweepOrphans();
    this.log.info({ digest, keptLayers }, 'image deleted');
    return { keptLayers };
  }

}
