import fs from 'node:fs';
import type { WritableLayerStore } from '../storage/types';
import { isMountPoint, unmount } from './disk';
import { run } from './exec-file';

/**
 * The rootfs of a running sandbox: its writable layer mounted (a btrfs subvolume or a disk image,
 * runner/storage), each lower layer and the host's
 * /usr id-mapped (read-only) into the sandbox's uid range by the warren-mount helper, and an
 * overlay of the layers under the sandbox's own upper dir. Every mount is nosuid and nodev: a
 * setuid file planted inside must never be usable on the host.
 *
 * What the sandbox can learn about the host from its own /proc/self/mountinfo is kept to
 * nothing: the overlay is mounted with paths relative to the sandbox's run dir (the kernel shows
 * them as given), and every host dir bound inside is the root of its own small tmpfs (a bind
 * mount shows its path within its filesystem), created without a uid= option (shown too).
 */
export type RootfsPlan = {
  mountHelper: string;
  uidBase: number;
  uidCount: number;
  /** The sandbox's key: names its writable layer in `disk`. */
  key: string;
  disk: WritableLayerStore;
  diskMount: string;
  upper: string;
  work: string;
  layerDirs: string[];
  lowerMounts: string[];
  /** The host's /usr, id-mapped read-only: only for the `host` template (image stacks bring their own). */
  usrMount: string | null;
  rootfs: string;
  runDir: string;
  agentDir: string;
  ctlDir: string;
  egressDir: string;
  /** Awaited before each step that starts a process (a warm-pool refill yields to claims there). */
  pace?: () => Promise<void>;
};

/**
 * The sandbox's run dir: 0710 root:<sandbox gid>, so runc (as the sandbox's host uid) can reach
 * the rootfs while no other host user can even enter; mount points inside it are 0711.
 */
export function prepareRunDir(p: Pick<RootfsPlan, 'runDir' | 'uidBase'>): void {
  fs.mkdirSync(p.runDir, { recursive: true, mode: 0o710 });
  fs.chownSync(p.runDir, 0, p.uidBase);
  fs.chmodSync(p.runDir, 0o710);
}

export async function mountRootfs(p: RootfsPlan): Promise<void> {
  // Two overlays on one upper dir are undefined behaviour: never stack a second set.
  if (await isMountPoint(p.rootfs)) throw new Error(`${p.rootfs} is already mounted`);
  prepareRunDir(p);
  for (const dir of [p.rootfs, ...(p.usrMount ? [p.usrMount] : []), ...p.lowerMounts]) fs.mkdirSync(dir, { recursive: true, mode: 0o711 });
  fs.mkdirSync(p.ctlDir, { recursive: true, mode: 0o700 });
  const pace = p.pace ?? (async () => {});
  await pace();
  // /run/warren inside is writable by the sandbox's root: its own small tmpfs (it can never fill
  // the host's /run), nosymfollow as a second line behind "the host never resolves a path in it".
  await ownTmpfs(p.agentDir, 'warren-run', `size=8m,nr_inodes=4096,mode=0700,nosuid,nodev,noexec,nosymfollow`, p.uidBase);
  // /run/warren/egress inside: root-owned, bound read-only; only the runner creates its socket
  // and, for egress-only secrets, the CA bundle (the system roots, ~220 KB, plus the sandbox CA).
  await pace();
  await ownTmpfs(p.egressDir, 'warren-egress', 'size=1m,nr_inodes=16,mode=0755,nosuid,nodev,noexec,nosymfollow', 0);

  await pace();
  await p.disk.attach({ key: p.key, uidBase: p.uidBase, uidCount: p.uidCount, diskMount: p.diskMount, upper: p.upper, work: p.work });

  const pairs = p.layerDirs.flatMap((dir, i) => [dir, p.lowerMounts[i]!]);
  await pace();
  await run(p.mountHelper, ['idmap', '--uid-base', String(p.uidBase), '--count', String(p.uidCount), ...pairs, ...(p.usrMount ? ['/usr', p.usrMount] : [])]);
  const rel = (abs: string) => {
    if (!abs.startsWith(`${p.runDir}/`)) throw new Error(`${abs} is outside ${p.runDir}`);
    return abs.slice(p.runDir.length + 1);
  };
  await pace();
  await run(
    'mount',
    [
      '-t', 'overlay', 'overlay',
      '-o', `nosuid,nodev,lowerdir=${p.lowerMounts.map(rel).join(':')},upperdir=${rel(p.upper)},workdir=${rel(p.work)}`,
      rel(p.rootfs),
    ],
    { cwd: p.runDir },
  );
}

/** A fresh tmpfs at `dir` whose root belongs to `owner` (chowned after mounting, not by uid=). */
async function ownTmpfs(dir: string, name: string, opts: string, owner: number): Promise<void> {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (await isMountPoint(dir)) return;
  await run('mount', ['-t', 'tmpfs', '-o', opts, name, dir]);
  fs.chownSync(dir, owner, owner);
}

export async function unmountRootfs(p: Pick<RootfsPlan, 'rootfs' | 'usrMount' | 'lowerMounts' | 'disk' | 'diskMount' | 'agentDir' | 'egressDir'>): Promise<void> {
  await unmount(p.rootfs);
  await unmount(p.agentDir);
  await unmount(p.egressDir);
  for (const m of [...p.lowerMounts, ...(p.usrMount ? [p.usrMount] : [])]) await unmount(m);
  await p.disk.detach(p.diskMount);
}
