import path from 'node:path';
import type { Isolation } from './types';

/**
 * Where each piece of a sandbox lives. Durable things (record, disk image) are under the
 * runner's data dir, in a root-only home per sandbox; mount points and sockets are under the run
 * dir (tmpfs, rebuilt after a reboot). The runner's parent dirs are traversable (0711) so runc can
 * reach the rootfs as the sandbox's unprivileged host uid, and each sandbox's own run dir is
 * 0710 root:<its gid>: only root and that sandbox may enter, never another host user.
 *
 * The rule for every path below: the host side never resolves a path a sandbox can write. Only
 * `agentDir` (its /run/warren) is writable from inside, and the runner never opens anything in
 * it: the agent's socket lives in `ctl/` (root-only, never mounted into the sandbox; the agent
 * gets it as an inherited fd), the egress proxy's in `egress/` (root-owned, bound read-only).
 */
export type RunnerDirs = { dataDir: string; runDir: string };

export function runnerPaths(d: RunnerDirs) {
  return {
    sandboxesDir: path.join(d.dataDir, 'sandboxes'),
    snapshotsDir: path.join(d.dataDir, 'snapshots'),
    layersDir: path.join(d.dataDir, 'layers'),
    imagesDir: path.join(d.dataDir, 'images'),
    pullsDir: path.join(d.dataDir, 'pulls'),
    runtimeRoot: path.join(d.runDir, 'runc'),
    binDir: path.join(d.runDir, 'bin'),
    sbRunDir: path.join(d.runDir, 'sb'),
  };
}

export const AGENT_SOCKET_NAME = 'agent.sock';
/** Inside the sandbox: the agent's dir (its detached processes' sockets) and the egress socket. */
export const SANDBOX_AGENT_DIR = '/run/warren';
export const SANDBOX_EGRESS_DIR = '/run/warren/egress';

export type SandboxPaths = ReturnType<typeof sandboxPaths>;

/**
 * Where the runner reaches a sandbox's agent. gVisor's runsc cannot pass the pre-bound socket in,
 * so its agent binds /run/warren/agent.sock and the Gofer makes it a host socket in `agentDir`:
 * a dir the sandbox writes, but its own tmpfs mounted nosymfollow, so the runner's connect can
 * never be sent elsewhere by a planted symlink (a socket the sandbox binds there itself only
 * impersonates its own agent, to the runner, about itself).
 */
export const agentSocketOf = (p: SandboxPaths, isolation: Isolation | undefined) =>
  isolation === 'gvisor' ? path.join(p.agentDir, AGENT_SOCKET_NAME) : p.agentSocket;
export const SANDBOX_AGENT_SOCKET = `${SANDBOX_AGENT_DIR}/${AGENT_SOCKET_NAME}`;

export function sandboxPaths(d: RunnerDirs, key: string) {
  const home = path.join(d.dataDir, 'sandboxes', key);
  const run = path.join(d.runDir, 'sb', key);
  return {
    home,
    record: path.join(home, 'sandbox.json'),
    diskImage: path.join(home, 'disk.img'),
    // Mounted under the run dir, so the overlay can name upper and work relative to it.
    diskMount: path.join(run, 'disk'),
    upper: path.join(run, 'disk', 'upper'),
    work: path.join(run, 'disk', 'work'),
    bundle: path.join(home, 'bundle'),
    // Logs of the container's stdio and of slirp live on the sandbox's own disk image (outside
    // its view): whatever the sandbox makes them write counts against its own quota.
    log: path.join(run, 'disk', 'container.log'),
    slirpLog: path.join(run, 'disk', 'slirp.log'),
    run,
    rootfs: path.join(run, 'rootfs'),
    usr: path.join(run, 'usr'),
    lower: (i: number) => path.join(run, `l${i}`),
    agentDir: path.join(run, 'agent'),
    ctlDir: path.join(run, 'ctl'),
    agentSocket: path.join(run, 'ctl', AGENT_SOCKET_NAME),
    egressDir: path.join(run, 'egress'),
    egressSocket: path.join(run, 'egress', 'egress.sock'),
    slirpApi: path.join(run, 'slirp.sock'),
  };
}

/** Each sandbox gets its own 65536-uid range far above regular users and subuid ranges. */
export const UID_COUNT = 65536;
export const uidBaseForSlot = (slot: number) => 0x10000000 + slot * UID_COUNT;
