import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '@/lib/errors';
import { run } from '../runtime/exec-file';
import { KeyedLock } from '../sandbox/keyed-lock';
import { BASE_PATH } from '../services/command-env';
import { type ImageInfo, type ImageStore, layerDirName } from './image-store';
import { type DebianSpec, debianDigest, PACKAGE_NAME } from './debian-spec';
import { unpackLayer } from './layer-unpack';

/**
 * A real Debian root filesystem made from Debian's own packages by `mmdebstrap` (Debian's
 * tool; it needs only the Debian archive), so `apt-get install` works in sandboxes made from it.
 * Built on demand, never at install time, and named by its spec: the same suite, variant and
 * package list is the same image (`sha256:<hash of the spec>`), built once per runner.
 * mmdebstrap writes a tar, which the same hostile-proof reader as image layers unpacks into one
 * content-addressed layer (`img-<diff_id>`), so the result is an image like any pulled one.
 */
export { type DebianSpec, PACKAGE_NAME, debianDigest } from './debian-spec';

/** `pip install --user` and `npm i -g --prefix ~/.local` put programs in the user's ~/.local/bin. */
const USER_PATH = `/home/user/.local/bin:${BASE_PATH}`;

export class DebianBases {
  private lock = new KeyedLock();

  constructor(
    private readonly images: ImageStore,
    private readonly dirs: { layersDir: string; pullsDir: string },
    private readonly maxLayerBytes: number,
    /** Downloaded packages kept between builds (apt checks each against the signed index). */
    private readonly cacheDir: string,
    /** The archive; Debian's own by default (WARREN_DEBIAN_MIRROR). */
    private readonly mirror = process.env.WARREN_DEBIAN_MIRROR || 'http://deb.debian.org/debian',
  ) {
    // It is written into mmdebstrap's hook commands (shell): only plain path characters.
    if (!/^\/[A-Za-z0-9/._-]+$/.test(cacheDir)) throw new Error(`WARREN_DEBIAN_CACHE_DIR ${cacheDir} must be an absolute path of letters, digits and / . _ -`);
  }

  async build(spec: DebianSpec): Promise<{ image: ImageInfo; cached: boolean; output: string }> {
    for (const p of spec.include) if (!PACKAGE_NAME.test(p)) throw new AppError('validation_failed', `${JSON.stringify(p)} is not a Debian package name`);
    const digest = debianDigest(spec);
    return this.lock.run(digest, async () => {
      const have = this.images.find(digest);
      if (have) return { image: have, cached: true, output: '' };
      // In the pulls dir: root-only, and emptied at start, so a build cut short leaves nothing.
      const work = path.join(this.dirs.pullsDir, `debian-${crypto.randomBytes(6).toString('hex')}`);
      fs.mkdirSync(work, { mode: 0o700 });
      const started = Date.now();
      try {
        const tar = path.join(work, 'rootfs.tar');
        const args = ['--mode=root', `--variant=${spec.variant}`, '--format=tar', '--quiet'];
        if (spec.include.length) args.push(`--include=${spec.include.join(',')}`);
        // Documentation and locales are not needed in a sandbox and are most of a minbase's size.
        args.push('--dpkgopt=path-exclude=/usr/share/{doc,info,man,locale}/*', '--dpkgopt=path-include=/usr/share/locale/locale.alias');
        // Packages downloaded once are reused (mmdebstrap's documented sync-in/sync-out), and
        // never left in the image itself.
        fs.mkdirSync(this.cacheDir, { recursive: true, mode: 0o700 });
        args.push(
          '--skip=essential/unlink',
          `--setup-hook=mkdir -p "$1"/var/cache/apt/archives/`,
          `--setup-hook=sync-in '${this.cacheDir}' /var/cache/apt/archives/`,
          `--customize-hook=sync-out /var/cache/apt/archives '${this.cacheDir}'`,
          `--customize-hook=rm -f "$1"/var/cache/apt/archives/*.deb`,
          // Bookworm's pip refuses `pip install --user` (PEP 668's externally-managed marker);
          // in a throw-away sandbox installing into ~/.local is what users expect of pip.
          `--customize-hook=printf '[global]\\nbreak-system-packages = true\\n' > "$1"/etc/pip.conf`,
          // Login shells (the terminal, `bash -l`) take PATH from /etc/profile, which drops the
          // image's ~/.local/bin; put it back for them too.
          `--customize-hook=printf '%s\\n' 'case ":$PATH:" in *":$HOME/.local/bin:"*) ;; *) PATH="$HOME/.local/bin:$PATH" ;; esac' > "$1"/etc/profile.d/warren-user-bin.sh`,
        );
        let output: string;
        try {
          // Its temporary chroot in the work dir too (TMPDIR), so one cut short goes with it.
          output = await run('mmdebstrap', [...args, spec.suite, tar, this.mirror], { timeout: 30 * 60_000, endsWithRunner: true, env: { ...process.env, TMPDIR: work } });
        } catch (err) {
          const stderr = String((err as { stderr?: string }).stderr || (err as Error).message);
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new AppError('image_pull_failed', 'mmdebstrap is not installed on this runner (apt-get install mmdebstrap)');
          throw new AppError('image_pull_failed', `mmdebstrap failed: ${stderr.trim().split('\n').slice(-5).join(' / ').slice(-800)}`);
        }
        const tmp = path.join(this.dirs.layersDir, `img-debian.tmp-${crypto.randomBytes(4).toString('hex')}`);
        let stats: Awaited<ReturnType<typeof unpackLayer>>;
        try {
          stats = await unpackLayer(tar, 'application/vnd.oci.image.layer.v1.tar', tmp, this.maxLayerBytes);
        } catch (err) {
          fs.rmSync(tmp, { recursive: true, force: true });
          throw new AppError('image_invalid', `The Debian root filesystem could not be unpacked: ${(err as Error).message}`);
        }
        const layer = layerDirName(stats.diffId);
        const final = path.join(this.dirs.layersDir, layer);
        fs.chmodSync(tmp, 0o755);
        if (fs.existsSync(final)) fs.rmSync(tmp, { recursive: true, force: true });
        else {
          fs.writeFileSync(`${final}.size`, String(stats.bytes));
          fs.renameSync(tmp, final);
        }
        // Registered at once (no await since the rename): an orphan sweep never sees it unnamed.
        const image = this.images.register({
          digest,
          reference: `debian:${spec.suite}-${spec.variant}`,
          layers: [layer],
          config: { env: { PATH: USER_PATH, LANG: 'C.UTF-8' }, workingDir: null, user: null, entrypoint: [], cmd: ['/bin/bash'] },
          sizeBytes: stats.bytes,
          pulledAt: new Date().toISOString(),
        });
        return { image, cached: false, output: `${output.trim()}\nmmdebstrap ${spec.suite} (${spec.variant}${spec.include.length ? ` + ${spec.include.join(', ')}` : ''}): ${Math.round(stats.bytes / 1024 ** 2)} MiB in ${((Date.now() - started) / 1000).toFixed(1)} s`.trim() };
      } finally {
        fs.rmSync(work, { recursive: true, force: true });
      }
    });
  }
}
