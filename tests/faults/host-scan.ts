import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * What is on this host right now, read straight from the kernel and runc (never from the
 * runner): mounts, loop devices, cgroups, runc containers and processes. Other engineers' runners
 * share this machine, so nothing here is compared host-wide; `leaks.ts` attributes each thing to
 * one runner's data and run dirs, its sandbox keys and its uid ranges.
 */
export type Proc = { pid: number; uid: number; comm: string; cmdline: string; netns: string; cgroup: string };

export type HostScan = {
  mounts: string[];
  /** Loop devices and the image each one reads. */
  loops: Array<{ dev: string; file: string }>;
  /** Sandbox keys with a cgroup dir under some controller's `warren/`. */
  cgroups: Map<string, string[]>;
  /** The runner's runc containers: id → status. */
  containers: Map<string, string>;
  /** Live (non-zombie) processes. */
  procs: Proc[];
};

export const SANDBOX_UID_MIN = 0x10000000;
export const UID_COUNT = 65536;
const CGROUP_ROOT = '/sys/fs/cgroup';

export function scanHost(runDir: string): HostScan {
  return { mounts: mountPoints(), loops: loopDevices(), cgroups: warrenCgroups(), containers: runcContainers(runDir), procs: liveProcs() };
}

function unescapeOctal(s: string): string {
  return s.replace(/\\(\d{3})/g, (_, o) => String.fromCharCode(Number.parseInt(o, 8)));
}

function mountPoints(): string[] {
  return fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => unescapeOctal(l.split(' ')[4] ?? ''));
}

function loopDevices(): HostScan['loops'] {
  const out = execFileSync('losetup', ['-J', '-l'], { encoding: 'utf8' }).trim();
  if (!out) return [];
  const parsed = JSON.parse(out) as { loopdevices: Array<{ name: string; 'back-file': string | null }> };
  // A deleted image shows as "<path> (deleted)": it still counts as that path's leak.
  return parsed.loopdevices.map((d) => ({ dev: d.name, file: (d['back-file'] ?? '').replace(/ \(deleted\)$/, '') }));
}

function warrenCgroups(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const roots = [path.join(CGROUP_ROOT, 'warren'), ...fs.readdirSync(CGROUP_ROOT).map((c) => path.join(CGROUP_ROOT, c, 'warren'))];
  for (const root of roots) {
    let keys: string[] = [];
    try {
      keys = fs.readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    } catch {
      continue;
    }
    for (const k of keys) found.set(k, [...(found.get(k) ?? []), path.join(root, k)]);
  }
  return found;
}

function runcContainers(runDir: string): Map<string, string> {
  if (!fs.existsSync(path.join(runDir, 'runc'))) return new Map(); // no runner ever ran here, or it is all gone
  const out = execFileSync('runc', ['--root', path.join(runDir, 'runc'), 'list', '--format', 'json'], { encoding: 'utf8' }).trim();
  const list = (out ? JSON.parse(out) : null) as Array<{ id: string; status: string }> | null;
  return new Map((list ?? []).map((c) => [c.id, c.status]));
}

/** runc's own view of one container (`runc state`), or null when it has none. */
export function runcState(runDir: string, key: string): { status: string; pid: number } | null {
  try {
    const s = JSON.parse(execFileSync('runc', ['--root', path.join(runDir, 'runc'), 'state', key], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
    return { status: s.status, pid: s.pid };
  } catch {
    return null;
  }
}

function read(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function liveProcs(): Proc[] {
  const procs: Proc[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const status = read(`/proc/${name}/status`);
    // A killed container's init waits for the host's PID 1 to reap it: a zombie holds nothing.
    if (!status || /^State:\s+Z/m.test(status)) continue;
    let netns = '';
    try {
      netns = fs.readlinkSync(`/proc/${name}/ns/net`);
    } catch {}
    procs.push({
      pid: Number(name),
      uid: Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]),
      comm: read(`/proc/${name}/comm`).trim(),
      cmdline: read(`/proc/${name}/cmdline`).replaceAll('\0', ' ').trim(),
      netns,
      cgroup: read(`/proc/${name}/cgroup`),
    });
  }
  return procs;
}

export const uidBaseOf = (uid: number) => uid - ((uid - SANDBOX_UID_MIN) % UID_COUNT);
