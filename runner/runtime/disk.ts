import fs from 'node:fs';
import path from 'node:path';
import { run } from './exec-file';

/**
 * Each sandbox's writable layer lives on its own sparse ext4 image whose size is the disk
 * quota: writes past it fail with ENOSPC inside the sandbox and nothing else on the host
 * fills up. (This kernel has no quota support, so project quotas are not an option.)
 * The image only takes the space actually written.
 */
export async function createDisk(image: string, sizeMb: number): Promise<void> {
  fs.mkdirSync(path.dirname(image), { recursive: true, mode: 0o700 });
  const fd = fs.openSync(image, 'wx', 0o600);
  try {
    fs.ftruncateSync(fd, sizeMb * 1024 * 1024);
  } finally {
    fs.closeSync(fd);
  }
  // A small journal keeps the image consistent after a host crash. Its root stays root's: only
  // the upper dir inside belongs to the sandbox (mountRootfs), the logs beside it do not.
  await run('mkfs.ext4', ['-q', '-F', '-m', '0', '-J', 'size=4', '-E', 'lazy_itable_init=1,lazy_journal_init=1', image]);
}

export async function mountDisk(image: string, target: string): Promise<void> {
  fs.mkdirSync(target, { recursive: true });
  if (await isMountPoint(target)) return;
  await run('mount', ['-o', 'loop,noatime,nodev,nosuid', image, target]);
}

/** Grows an image (never shrinks): ext4 resizes online, mounted or not. */
export async function growDisk(image: string, sizeMb: number, mountedAt?: string): Promise<void> {
  const bytes = sizeMb * 1024 * 1024;
  if (fs.statSync(image).size >= bytes) return;
  fs.truncateSync(image, bytes);
  if (mountedAt && (await isMountPoint(mountedAt))) {
    const dev = (await run('findmnt', ['-n', '-o', 'SOURCE', '--target', mountedAt])).trim();
    await run('losetup', ['-c', dev]);
    await run('resize2fs', [dev]);
  } else {
    await run('e2fsck', ['-f', '-p', image]).catch(() => {});
    await run('resize2fs', [image]);
  }
}

export async function unmount(target: string): Promise<void> {
  if (!(await isMountPoint(target))) return;
  try {
    await run('umount', [target]);
  } catch {
    await run('umount', ['-l', target]); // busy (a file handle still open): detach lazily
  }
}

export async function isMountPoint(target: string): Promise<boolean> {
  const mounts = await fs.promises.readFile('/proc/self/mountinfo', 'utf8');
  const want = path.resolve(target);
  return mounts.split('\n').some((line) => unescapeMount(line.split(' ')[4] ?? '') === want);
}

export async function mountsUnder(prefix: string): Promise<string[]> {
  const mounts = await fs.promises.readFile('/proc/self/mountinfo', 'utf8');
  const root = path.resolve(prefix);
  return mounts
    .split('\n')
    .map((line) => unescapeMount(line.split(' ')[4] ?? ''))
    .filter((p) => p === root || p.startsWith(`${root}/`));
}

function unescapeMount(s: string): string {
  return s.replace(/\\(\d{3})/g, (_, o) => String.fromCharCode(Number.parseInt(o, 8)));
}
