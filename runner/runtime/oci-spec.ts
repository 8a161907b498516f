import { SANDBOX_AGENT_DIR, SANDBOX_EGRESS_DIR } from '../sandbox/paths';
import { seccompProfile } from './seccomp';

/**
 * The OCI runtime spec (config.json) of one sandbox: never privileged, own user namespace
 * mapping sandbox root to an unprivileged host uid range, every other namespace private,
 * Docker's default capabilities minus CAP_NET_RAW, no-new-privileges, masked /proc and /sys paths, seccomp,
 * and cgroup limits. PID 1 is the Warren agent itself (it reaps orphans like an init): with no
 * tini in between, nothing else in the sandbox holds its listening socket, and being PID 1 it
 * cannot be killed from inside; it also makes itself non-dumpable, so root inside cannot
 * ptrace it or take its descriptors.
 */
export type SpecInput = {
  rootfs: string;
  hostname: string;
  uidBase: number;
  uidCount: number;
  cgroupsPath: string;
  cpu: number;
  memoryMb: number;
  pids: number;
  /** Host dir (the sandbox's own small tmpfs) bind-mounted at /run/warren: detached processes'
   * sockets live there. The agent's own listening socket is not in it: it arrives as fd 3. */
  agentDir: string;
  /** Root-owned host dir bound read-only at /run/warren/egress: the egress proxy's socket. */
  egressDir: string;
  /** Host dir holding the static agent binary, mounted read-only at /opt/warren. */
  agentBinDir: string;
  /** Id-mapped read-only mount of the host's /usr, bound at /usr (the `host` template only). */
  usrDir: string | null;
  /** Cannot exceed the runner's own hard limit (the sandbox's user namespace cannot raise it). */
  maxOpenFiles: number;
  /** Host file bound read-only over /etc/ssl/certs/ca-certificates.crt (egress-only secrets). */
  caBundle?: string;
  /** gVisor: the agent binds this path inside (see gvisor.ts) instead of inheriting fd 3. */
  agentSocket?: string;
};

// Docker's default set without CAP_NET_RAW: raw and packet sockets would let a sandbox write
// frames straight onto slirp's tap device, around the netfilter rules that keep egress public
// (and ping is not worth that; it fails inside).
export const CAPS = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
];

export const CPU_PERIOD_US = 100_000;

// Only gVisor sandboxes have an agentSocket (runsc cannot pass the bound socket in): their
// profile also names gVisor's own spellings of some syscalls (seccomp.ts).
const hardening = (agentSocket?: string) => ({
  capabilities: { bounding: CAPS, effective: CAPS, permitted: CAPS },
  noNewPrivileges: true,
  seccomp: seccompProfile({ gvisor: agentSocket !== undefined }),
});

type SpecLike = { process?: { capabilities?: unknown; noNewPrivileges?: unknown; args?: unknown }; linux?: { seccomp?: unknown } };

export const AGENT_ARGS = ['/opt/warren/warren-agent', 'serve', '--listen-fd', '3', '--dir', SANDBOX_AGENT_DIR];
const agentArgs = (socket?: string) => (socket ? ['/opt/warren/warren-agent', 'serve', '--socket', socket, '--dir', SANDBOX_AGENT_DIR] : AGENT_ARGS);

/** Whether a written spec has this runner's capabilities, no-new-privileges, seccomp profile and init. */
export function hasCurrentHardening(spec: SpecLike | undefined, agentSocket?: string): boolean {
  const h = hardening(agentSocket);
  const parts = (c: unknown, n: unknown, s: unknown, a: unknown) => JSON.stringify([c, n, s, a]);
  return (
    parts(spec?.process?.capabilities, spec?.process?.noNewPrivileges, spec?.linux?.seccomp, spec?.process?.args) ===
    parts(h.capabilities, h.noNewPrivileges, h.seccomp, agentArgs(agentSocket))
  );
}

export function buildSpec(s: SpecInput) {
  const h = hardening(s.agentSocket);
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      user: { uid: 0, gid: 0 },
      args: agentArgs(s.agentSocket),
      env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'LANG=C.UTF-8'],
      cwd: '/',
      capabilities: h.capabilities,
      rlimits: [
        { type: 'RLIMIT_NOFILE', hard: s.maxOpenFiles, soft: s.maxOpenFiles },
        { type: 'RLIMIT_CORE', hard: 0, soft: 0 },
      ],
      noNewPrivileges: h.noNewPrivileges,
      oomScoreAdj: 500, // under memory pressure the host kills sandbox processes before the runner
    },
    root: { path: s.rootfs, readonly: false },
    hostname: s.hostname,
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620'] },
      { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
      { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
      { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'] },
      ...(s.usrDir ? [{ destination: '/usr', type: 'bind', source: s.usrDir, options: ['rbind', 'ro', 'nosuid', 'nodev'] }] : []),
      { destination: '/opt/warren', type: 'bind', source: s.agentBinDir, options: ['bind', 'ro', 'nosuid', 'nodev'] },
      { destination: SANDBOX_AGENT_DIR, type: 'bind', source: s.agentDir, options: ['bind', 'rw', 'nosuid', 'nodev', 'noexec'] },
      { destination: SANDBOX_EGRESS_DIR, type: 'bind', source: s.egressDir, options: ['bind', 'ro', 'nosuid', 'nodev', 'noexec'] },
      ...(s.caBundle
        ? [{ destination: '/etc/ssl/certs/ca-certificates.crt', type: 'bind', source: s.caBundle, options: ['bind', 'ro', 'nosuid', 'nodev', 'noexec'] }]
        : []),
    ],
    linux: {
      uidMappings: [{ containerID: 0, hostID: s.uidBase, size: s.uidCount }],
      gidMappings: [{ containerID: 0, hostID: s.uidBase, size: s.uidCount }],
      namespaces: ['pid', 'network', 'ipc', 'uts', 'mount', 'user', 'cgroup'].map((type) => ({ type })),
      cgroupsPath: s.cgroupsPath,
      resources: {
        devices: [{ allow: false, access: 'rwm' }],
        memory: { limit: s.memoryMb * 1024 * 1024, swap: s.memoryMb * 1024 * 1024 },
        cpu: { quota: Math.round(s.cpu * CPU_PERIOD_US), period: CPU_PERIOD_US },
        pids: { limit: s.pids },
      },
      seccomp: h.seccomp,
      maskedPaths: [
        '/proc/acpi', '/proc/asound', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
        '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware', '/sys/devices/virtual/powercap',
        // The btrfs pool's quota groups: every other sandbox's disk use, by subvolume id.
        '/sys/fs/btrfs',
      ],
      readonlyPaths: ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
    },
  };
}
