import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline, type Readable } from 'node:stream';
import zlib from 'node:zlib';
import { run } from '../runtime/exec-file';
import { nextEntry, paddingOf, type TarEntry } from './tar-format';
import { ChunkReader } from './tar-reader';

/**
 * Unpacks one OCI image layer (a tar, maybe gzipped) into `dest` as an overlayfs lower layer:
 * OCI whiteouts (`.wh.name`, `.wh..wh..opq`) become overlay's (a 0/0 char device, the
 * `trusted.overlay.opaque` xattr), ownership stays canonical (0 = sandbox root) so id-mapped
 * mounts shift it per sandbox, and what would grant privilege or reach outside is refused:
 *
 * - every path is cleaned; one with `..` or that passes through a symlink or non-directory
 *   already in the layer fails the unpack, so no entry is ever written outside `dest`;
 * - a hard link must name a regular file of this same layer (checked the same way);
 * - device nodes and fifos are dropped, setuid/setgid bits cleared, xattrs (file capabilities)
 *   never applied; symlinks are stored verbatim and only ever resolved inside a sandbox's root.
 *
 * The runner alone writes `dest` while this runs (a root-only temp dir), so checking each
 * parent with lstat cannot race with anybody. Returns the digest of the uncompressed tar (the
 * image config's diff_id, which the caller checks) and counts of what was dropped.
 */
export type UnpackStats = { diffId: string; files: number; bytes: number; droppedDevices: number; clearedSetuid: number };

/**
 * Default cap on a layer's uncompressed tar: a gzip bomb (a few MB that inflate to terabytes of
 * zeros or of empty files) would otherwise fill the runner's disk, as root, from one template.
 */
export const DEFAULT_MAX_LAYER_BYTES = 16 * 1024 ** 3;

/**
 * Entries in one layer: each costs an inode on the host, and each directory entry a slot in
 * memory until the end (its time is set last). Real images have tens of thousands at most.
 */
export const MAX_LAYER_ENTRIES = 2_000_000;

export async function unpackLayer(
  blob: string,
  mediaType: string,
  dest: string,
  maxBytes = DEFAULT_MAX_LAYER_BYTES,
  maxEntries = MAX_LAYER_ENTRIES,
): Promise<UnpackStats> {
  const hash = crypto.createHash('sha256');
  const source = fs.createReadStream(blob, { highWaterMark: 1 << 20 });
  const decompressed = decompressorFor(mediaType, source);
  // Iterating the last stream surfaces any error of the chain (a truncated gzip) as a throw.
  let seen = 0;
  async function* hashed() {
    for await (const chunk of decompressed) {
      // Counted as it inflates, before anything is written: the bomb stops at the cap.
      seen += (chunk as Buffer).length;
      if (seen > maxBytes) throw new Error(`the layer unpacks to more than ${Math.floor(maxBytes / 1024 ** 2)} MiB (WARREN_RUNNER_MAX_LAYER_MB)`);
      hash.update(chunk as Buffer);
      yield chunk as Buffer;
    }
  }
  const reader = new ChunkReader(hashed());
  const stats = { files: 0, bytes: 0, droppedDevices: 0, clearedSetuid: 0 };
  const dirTimes: Array<[string, number]> = [];
  fs.mkdirSync(dest, { mode: 0o755 });
  try {
    for (let n = 1; ; n++) {
      const e = await nextEntry(reader);
      if (!e) break;
      if (n > maxEntries) throw new Error(`the layer has more than ${maxEntries} entries`);
      await apply(dest, e, reader, stats, dirTimes);
      await reader.read(paddingOf(e.size));
    }
    await reader.drain();
  } finally {
    decompressed.destroy();
    source.destroy();
  }
  // Directory times last: writing inside a dir moves its mtime. A later entry may have replaced
  // the dir with a symlink (to /etc, say): lutimes sets the link's own times, never its target's.
  for (const [p, t] of dirTimes.reverse()) fs.lutimesSync(p, t, t);
  return { diffId: `sha256:${hash.digest('hex')}`, ...stats };
}

function decompressorFor(mediaType: string, source: fs.ReadStream): Readable {
  if (mediaType.endsWith('+gzip') || mediaType.endsWith('.gzip') || mediaType.endsWith('tar.gzip')) {
    // pipeline: an error of either stream destroys both, so nothing is left unhandled.
    return pipeline(source, zlib.createGunzip(), () => {});
  }
  if (mediaType.endsWith('.tar') || mediaType.endsWith('layer.v1.tar') || mediaType.endsWith('diff.tar')) return source;
  throw new Error(`layer compression ${mediaType} is not supported (gzip and plain tar are)`);
}

/** `a/./b/` → ['a','b']; null for the layer's root itself; throws for `..` anywhere. */
export function cleanPath(p: string): string[] | null {
  if (p.includes('\0')) throw new Error('a layer entry name contains a NUL byte');
  const parts = p.split('/').filter((x) => x !== '' && x !== '.');
  if (parts.includes('..')) throw new Error(`layer entry ${JSON.stringify(p)} points outside the layer (..)`);
  return parts.length ? parts : null;
}

/** Creates missing parents (0755, root) and refuses any that is a symlink or not a directory. */
function ensureParents(dest: string, parts: string[]): string {
  let cur = dest;
  for (const name of parts.slice(0, -1)) {
    cur = path.join(cur, name);
    const st = lstatOrNull(cur);
    if (!st) fs.mkdirSync(cur, { mode: 0o755 });
    else if (!st.isDirectory()) throw new Error(`layer entry ${JSON.stringify(parts.join('/'))} goes through ${st.isSymbolicLink() ? 'a symlink' : 'a non-directory'} (${path.relative(dest, cur)})`);
  }
  return path.join(cur, parts[parts.length - 1]!);
}

function lstatOrNull(p: string): fs.Stats | null {
  try {
    return fs.lstatSync(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** A later entry replaces an earlier one at the same path, except a dir over a dir (merged). */
function clearFor(target: string, type: TarEntry['type']) {
  const st = lstatOrNull(target);
  if (!st || (st.isDirectory() && type === 'dir')) return;
  fs.rmSync(target, { recursive: true, force: true });
}

async function apply(dest: string, e: TarEntry, r: ChunkReader, stats: Omit<UnpackStats, 'diffId'>, dirTimes: Array<[string, number]>) {
  const parts = cleanPath(e.path);
  if (!parts) {
    if (e.type !== 'dir') throw new Error('a layer entry replaces the layer root with a non-directory');
    return r.forEach(e.size, () => {});
  }
  const base = parts[parts.length - 1]!;
  if (base.startsWith('.wh.')) {
    await whiteout(dest, parts);
    return r.forEach(e.size, () => {});
  }
  if (e.type === 'device' || e.type === 'fifo') {
    stats.droppedDevices++;
    return r.forEach(e.size, () => {});
  }
  const target = ensureParents(dest, parts);
  clearFor(target, e.type);
  const mode = e.mode & 0o1777;
  if (mode !== (e.mode & 0o7777)) stats.clearedSetuid++;
  switch (e.type) {
    case 'dir':
      if (!lstatOrNull(target)) fs.mkdirSync(target, { mode: 0o700 });
      fs.chmodSync(target, mode);
      dirTimes.push([target, e.mtime]);
      break;
    case 'file': {
      const fd = fs.openSync(target, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o600);
      try {
        await r.forEach(e.size, (chunk) => {
          let off = 0;
          while (off < chunk.length) off += fs.writeSync(fd, chunk, off);
        });
        fs.fchownSync(fd, e.uid, e.gid);
        fs.fchmodSync(fd, mode);
        fs.futimesSync(fd, e.mtime, e.mtime);
      } finally {
        fs.closeSync(fd);
      }
      stats.files++;
      stats.bytes += e.size;
      return;
    }
    case 'symlink':
      if (e.linkPath.includes('\0') || !e.linkPath) throw new Error(`symlink ${JSON.stringify(e.path)} has an invalid target`);
      fs.symlinkSync(e.linkPath, target);
      break;
    case 'hardlink': {
      const linkParts = cleanPath(e.linkPath);
      if (!linkParts) throw new Error(`hard link ${JSON.stringify(e.path)} points at the layer root`);
      const source = ensureParents(dest, linkParts);
      const st = lstatOrNull(source);
      if (!st?.isFile()) throw new Error(`hard link ${JSON.stringify(e.path)} must name a regular file earlier in the same layer (${JSON.stringify(e.linkPath)})`);
      fs.linkSync(source, target);
      stats.files++;
      return;
    }
  }
  fs.lchownSync(target, e.uid, e.gid);
  if (e.type === 'symlink') fs.lutimesSync(target, e.mtime, e.mtime);
}

/** OCI whiteouts to overlayfs ones, inside this layer only. */
async function whiteout(dest: string, parts: string[]) {
  const base = parts[parts.length - 1]!;
  if (base === '.wh..wh..opq') {
    // Every parent, the opaque dir included, is made or checked to be a real directory.
    const dir = path.dirname(ensureParents(dest, [...parts.slice(0, -1), 'x']));
    await run('setfattr', ['-h', '-n', 'trusted.overlay.opaque', '-v', 'y', dir]);
    return;
  }
  const hidden = base.slice('.wh.'.length);
  if (!hidden || hidden === '.' || hidden === '..' || hidden.startsWith('.wh.')) {
    throw new Error(`whiteout ${JSON.stringify(parts.join('/'))} names no file`);
  }
  const target = ensureParents(dest, [...parts.slice(0, -1), hidden]);
  fs.rmSync(target, { recursive: true, force: true });
  await run('mknod', ['-m', '000', target, 'c', '0', '0']);
}
