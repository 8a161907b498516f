import fs from 'node:fs';
import path from 'node:path';
import { isMountPoint } from '../runtime/disk';
import { run } from '../runtime/exec-file';

/**
 * The btrfs pool every sandbox's writable layer lives in (README: Storage). By default a sparse
 * loop file under the data dir, made at the first start; or a block device the operator
 * formatted with mkfs.btrfs; or a dir on a btrfs filesystem already mounted. Mounted nosuid and
 * nodev in a root-only dir: subvolumes hold files under the sandboxes' canonical ids (0 is a
 * sandbox's root), and no host user may ever reach them.
 */
export type PoolSource = { kind: 'loop'; file: string; sizeGb: number } | { kind: 'device'; device: string } | { kind: 'dir'; dir: string };

export type Pool = {
  /** Where subvolumes are made: `sandboxes/`, `snapshots/`. */
  root: string;
  /** /sys/fs/btrfs/<uuid>: quota group usage, read without spawning anything. */
  sysfs: string;
};

const MOUNT_OPTS = 'nosuid,nodev,noatime';

export async function openPool(source: PoolSource, mountPoint: string): Promise<Pool> {
  let root: string;
  if (source.kind === 'dir') {
    if ((await fsType(source.dir)) !== 'btrfs') throw new Error(`${source.dir} is not on a btrfs filesystem`);
    root = path.join(source.dir, 'warren');
    // Never a symlink or someone else's dir: the pool holds files under canonical root's id.
    const st = fs.lstatSync(root, { throwIfNoEntry: false });
    if (st && (!st.isDirectory() || st.uid !== 0)) throw new Error(`${root} exists and is not a root-owned directory`);
  } else {
    fs.mkdirSync(mountPoint, { recursive: true, mode: 0o700 });
    fs.chmodSync(mountPoint, 0o700);
    if (!(await isMountPoint(mountPoint))) {
      if (source.kind === 'loop') {
        await ensureLoopFile(source.file, source.sizeGb);
        await run('mount', ['-t', 'btrfs', '-o', `loop,${MOUNT_OPTS}`, source.file, mountPoint]);
      } else {
        await run('mount', ['-t', 'btrfs', '-o', MOUNT_OPTS, source.device, mountPoint]);
      }
    }
    if (source.kind === 'loop') await growLoopPool(source.file, source.sizeGb, mountPoint);
    root = mountPoint;
  }
  fs.mkdirSync(root, { recursive: true, mode: 0o700 });
  fs.chmodSync(root, 0o700);
  for (const dir of ['sandboxes', 'snapshots']) fs.mkdirSync(path.join(root, dir), { recursive: true, mode: 0o700 });
  // Quota groups are the disk limit; enabling is idempotent (and a rescan only the first time).
  await run('btrfs', ['quota', 'enable', root]);
  // `filesystem show` wants the mount point itself, not a dir under it (the WARREN_RUNNER_BTRFS_DIR case).
  const mounted = (await run('findmnt', ['-n', '-o', 'TARGET', '--target', root])).trim();
  const uuid = /uuid:\s*([0-9a-f-]{36})/.exec(await run('btrfs', ['filesystem', 'show', '--raw', mounted]))?.[1];
  if (!uuid) throw new Error(`could not learn the btrfs uuid of ${root}`);
  return { root, sysfs: path.join('/sys/fs/btrfs', uuid) };
}

/** Made under a temporary name and renamed once formatted: a crash never leaves a blank pool file. */
async function ensureLoopFile(file: string, sizeGb: number): Promise<void> {
  if (fs.existsSync(file)) return;
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.tmp`;
  fs.rmSync(tmp, { force: true });
  const fd = fs.openSync(tmp, 'wx', 0o600);
  try {
    fs.ftruncateSync(fd, sizeGb * 1024 ** 3);
  } finally {
    fs.closeSync(fd);
  }
  await run('mkfs.btrfs', ['-q', '-f', tmp]);
  fs.renameSync(tmp, file);
}

/** A larger size configured than the pool file has: the file grows, and btrfs with it, online. */
async function growLoopPool(file: string, sizeGb: number, mountPoint: string): Promise<void> {
  const bytes = sizeGb * 1024 ** 3;
  if (fs.statSync(file).size >= bytes) return;
  fs.truncateSync(file, bytes);
  const dev = (await run('findmnt', ['-n', '-o', 'SOURCE', '--target', mountPoint])).trim();
  await run('losetup', ['-c', dev]);
  await run('btrfs', ['filesystem', 'resize', 'max', mountPoint]);
}

async function fsType(dir: string): Promise<string> {
  return (await run('stat', ['-f', '-c', '%T', dir])).trim();
}

/** Whether this kernel can mount btrfs at all (built in or as a loadable module). */
export function kernelHasBtrfs(): boolean {
  try {
    if (/\tbtrfs\n/.test(fs.readFileSync('/proc/filesystems', 'utf8'))) return true;
    const release = fs.readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim();
    return fs.existsSync(`/lib/modules/${release}/kernel/fs/btrfs`);
  } catch {
    return false;
  }
}
