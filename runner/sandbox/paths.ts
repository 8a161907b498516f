import path from 'node:path';

/**
 * Where each piece of a sandbox lives. Durable things (record, disk image) are under the
 * runner's data dir; mount points and sockets are under the run dir (tmpfs, rebuilt after a
 * reboot), whose directories stay traversable so runc can reach the rootfs as the sandbox's
 * unprivileged host uid even when the data dir sits under a private home directory.
 */
export type RunnerDirs = { dataDir: string; runDir: string };

export function runnerPaths(d: RunnerDirs) {
  return {
    sandboxesDir: path.join(d.dataDir, 'sandboxes'),
    snapshotsDir: path.join(d.dataDir, 'snapshots'),
    layersDir: path.join(d.dataDir, 'layers'),
    runtimeRoot: path.join(d.runDir, 'runc'),
    binDir: path.join(d.runDir, 'bin'),
    sbRunDir: path.join(d.runDir, 'sb'),
  };
}

export type SandboxPaths = ReturnType<typeof sandboxPaths>;

export function sandboxPaths(d: RunnerDirs, key: string) {
  const home = path.join(d.dataDir, 'sandboxes', key);
  const run = path.join(d.runDir, 'sb', key);
  return {
    home,
    record: path.join(home, 'sandbox.json'),
    diskImage: path.join(home, 'disk.img'),
    diskMount: path.join(home, 'disk'),
    upper: path.join(home, 'disk', 'upper'),
    work: path.join(home, 'disk', 'work'),
    bundle: path.join(home, 'bundle'),
    log: path.join(home, 'container.log'),
    run,
    rootfs: path.join(run, 'rootfs'),
    usr: path.join(run, 'usr'),
    lower: (i: number) => path.join(run, `l${i}`),
    agentDir: path.join(run, 'agent'),
    agentSocket: path.join(run, 'agent', 'agent.sock'),
    slirpApi: path.join(run, 'slirp.sock'),
  };
}

/** Each sandbox gets its own 65536-uid range far above regular users and subuid ranges. */
export const UID_COUNT = 65536;
export const uidBaseForSlot = (slot: number) => 0x10000000 + slot * UID_COUNT;
