import fs from 'node:fs';
import path from 'node:path';

/**
 * What this host needs to run sandboxes, checked once at start-up. Each problem says exactly
 * what is wrong and how to fix it, so the console can show it instead of a stack trace later.
 */
export type Problem = { what: string; fix: string };

const BINARIES: Array<[string, string]> = [
  ['flock', 'util-linux'],
  ['slirp4netns', 'slirp4netns'],
  ['socat', 'socat'],
  ['nsenter', 'util-linux'],
  ['mkfs.ext4', 'e2fsprogs'],
  ['losetup', 'mount'],
  ['iptables-restore', 'iptables'],
  ['ip6tables-restore', 'iptables'],
  ['ip', 'iproute2'],
];

export function findBinary(name: string): string | undefined {
  if (name.includes('/')) return fs.existsSync(name) ? name : undefined;
  const dirs = (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/sbin', '/usr/bin', '/bin']);
  for (const dir of dirs) {
    const p = path.join(dir, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {}
  }
  return undefined;
}

export function preflight(opts: { runtime: string; nativeDir: string }): Problem[] {
  const problems: Problem[] = [];
  if (process.getuid?.() !== 0) {
    problems.push({ what: 'The runner is not running as root', fix: 'Start Warren as root (sudo ./scripts/up): sandboxes need mounts, cgroups and user namespaces.' });
  }
  if (!findBinary(opts.runtime)) {
    const pkg = opts.runtime === 'runc' || opts.runtime === 'crun' ? opts.runtime : `the package that provides ${opts.runtime}`;
    problems.push({ what: `OCI runtime "${opts.runtime}" not found`, fix: `apt-get install ${pkg}` });
  }
  for (const [bin, pkg] of BINARIES) {
    if (!findBinary(bin)) problems.push({ what: `${bin} not found`, fix: `apt-get install ${pkg}` });
  }
  const filesystems = readOr('/proc/filesystems', '');
  if (!/\toverlay\n/.test(filesystems)) {
    problems.push({ what: 'The kernel has no overlayfs', fix: 'modprobe overlay (or use a kernel with CONFIG_OVERLAY_FS)' });
  }
  if (Number(readOr('/proc/sys/user/max_user_namespaces', '0')) < 1) {
    problems.push({ what: 'User namespaces are disabled', fix: 'sysctl -w user.max_user_namespaces=15000' });
  }
  for (const bin of ['warren-agent', 'warren-mount', 'warren-btrfs']) {
    if (!fs.existsSync(path.join(opts.nativeDir, bin))) {
      problems.push({ what: `${bin} is not built`, fix: 'make -C runner/native (needs gcc and libc6-dev: apt-get install gcc libc6-dev)' });
    }
  }
  return problems;
}

function readOr(file: string, fallback: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
}
