import fs from 'node:fs';
import { isMountPoint, mountDisk, unmount } from './disk';
import { run } from './exec-file';

/**
 * The rootfs of a running sandbox: its disk image mounted, each lower layer and the host's
 * /usr id-mapped (read-only) into the sandbox's uid range by the warren-mount helper, and an
 * overlay of the layers under the sandbox's own upper dir.
 */
export type RootfsPlan = {
  mountHelper: string;
  uidBase: number;
  uidCount: number;
  diskImage: string;
  diskMount: string;
  upper: string;
  work: string;
  layerDirs: string[];
  lowerMounts: string[];
  usrMount: string;
  rootfs: string;
  runDir: string;
  agentDir: string;
};

export async function mountRootfs(p: RootfsPlan): Promise<void> {
  // Two overlays on one upper dir are undefined behaviour: never stack a second set.
  if (await isMountPoint(p.rootfs)) throw new Error(`${p.rootfs} is already mounted`);
  for (const dir of [p.runDir, p.rootfs, p.usrMount, ...p.lowerMounts]) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o711 });
  }
  fs.mkdirSync(p.agentDir, { recursive: true, mode: 0o700 });
  // /run/warren inside is writable by the sandbox's root: its own small tmpfs, so it can never
  // fill the host's /run.
  if (!(await isMountPoint(p.agentDir))) {
    const opts = `size=8m,nr_inodes=4096,mode=0700,uid=${p.uidBase},gid=${p.uidBase},nosuid,nodev,noexec`;
    await run('mount', ['-t', 'tmpfs', '-o', opts, 'warren-agent', p.agentDir]);
  }

  await mountDisk(p.diskImage, p.diskMount);
  if (!fs.existsSync(p.upper)) {
    fs.mkdirSync(p.upper, { mode: 0o755 });
    fs.chownSync(p.upper, p.uidBase, p.uidBase);
  }
  fs.mkdirSync(p.work, { recursive: true, mode: 0o700 });

  const pairs = p.layerDirs.flatMap((dir, i) => [dir, p.lowerMounts[i]!]);
  await run(p.mountHelper, ['idmap', '--uid-base', String(p.uidBase), '--count', String(p.uidCount), ...pairs, '/usr', p.usrMount]);
  await run('mount', [
    '-t', 'overlay', 'overlay',
    '-o', `lowerdir=${p.lowerMounts.join(':')},upperdir=${p.upper},workdir=${p.work}`,
    p.rootfs,
  ]);
}

export async function unmountRootfs(p: Pick<RootfsPlan, 'rootfs' | 'usrMount' | 'lowerMounts' | 'diskMount' | 'agentDir'>): Promise<void> {
  await unmount(p.rootfs);
  await unmount(p.agentDir);
  for (const m of [...p.lowerMounts, p.usrMount]) await unmount(m);
  await unmount(p.diskMount);
}
