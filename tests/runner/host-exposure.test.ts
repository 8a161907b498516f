import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunnerHandle, readRecord, sh, startRunner } from './harness';

/**
 * What a sandbox leaves on the host must be useless to everyone else there: a setuid file it
 * plants cannot be run by a local host user (through its mounted rootfs or through a snapshot's
 * layer), and its own view of the mounts tells it nothing about the host's layout.
 */
describe('what a sandbox exposes on the host (real containers)', () => {
  let r: RunnerHandle;
  const id = 'exposure1';
  let key: string;
  let uidBase: number;
  const exec = (script: string) => r.client.exec(id, { cmd: sh(script), user: 'root', timeoutSec: 30 });
  /** Runs argv as an ordinary local host user (nobody), as a co-tenant of the host would. (Through
   * a shell: setpriv's own exec of its argument does not show the caller's lack of access.) */
  const asNobody = (argv: string[]) =>
    spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '--', 'sh', '-c', 'exec "$0" "$@"', ...argv], {
      encoding: 'utf8',
    });

  beforeAll(async () => {
    r = await startRunner();
    await r.client.create({ id, resources: { cpu: 1, memoryMb: 256, diskMb: 128 } });
    ({ key, uidBase } = readRecord(r.dataDir, id));
    // A setuid copy of `id`, owned by the sandbox's root (host uid uidBase), and a setgid dir.
    await exec('cp /usr/bin/id /tmp/suid-id && chmod 4755 /tmp/suid-id && mkdir -m 2775 /tmp/sgid-dir');
  });
  afterAll(async () => {
    await r?.destroy();
  });

  it("a local host user can neither reach nor run a setuid file in a sandbox's rootfs", () => {
    const runDir = path.join(r.runDir, 'sb', key);
    const planted = path.join(runDir, 'rootfs', 'tmp', 'suid-id');
    const st = fs.statSync(planted); // root sees it: the attack would be real
    expect(st.mode & 0o4000).toBe(0o4000);
    expect(st.uid).toBe(uidBase);

    const run = asNobody([planted]);
    expect(run.status).not.toBe(0);
    expect(run.stdout).not.toContain(`euid=${uidBase}`);
    expect(run.stderr).toMatch(/Permission denied/);
    // The sandbox's run dir admits root and the sandbox's own gid only.
    const dir = fs.statSync(runDir);
    expect([dir.mode & 0o777, dir.uid, dir.gid]).toEqual([0o710, 0, uidBase]);
    // And were it reachable, every mount of the sandbox's tree is nosuid and nodev.
    const mounts = fs
      .readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .filter((l) => (l.split(' ')[4] ?? '').startsWith(`${runDir}/`));
    expect(mounts.length).toBeGreaterThanOrEqual(4);
    for (const m of mounts) expect(m.split(' ')[5]).toMatch(/nosuid.*nodev|nodev.*nosuid/);
  });

  it("a sandbox's home on the host is root-only", () => {
    const home = fs.statSync(path.join(r.dataDir, 'sandboxes', key));
    expect(home.mode & 0o777).toBe(0o700);
    expect(asNobody(['ls', path.join(r.dataDir, 'sandboxes', key)]).status).not.toBe(0);
  });

  it('a snapshot never carries setuid or setgid bits into the layer store or a fork', async () => {
    const snap = await r.client.snapshots.create(id);
    const layer = path.join(r.dataDir, 'layers', `snap-${snap.id}`);
    if (fs.existsSync(layer)) {
      // An image sandbox's snapshot is a copy in the layer store.
      const copied = fs.statSync(path.join(layer, 'tmp', 'suid-id'));
      expect(copied.uid).toBe(0); // shifted back to canonical ids: root-owned on the host...
      expect(copied.mode & 0o7777).toBe(0o755); // ...so it must not be setuid
      expect(fs.statSync(path.join(layer, 'tmp', 'sgid-dir')).mode & 0o7777).toBe(0o775);
      const fork = await r.client.create({ snapshotId: snap.id });
      const out = await r.client.exec(fork.id, { cmd: sh('stat -c %a /tmp/suid-id /tmp/sgid-dir; /tmp/suid-id -u'), user: 'root' });
      expect(out.stdout).toBe('755\n775\n0\n');
      await r.client.delete(fork.id);
    } else {
      // A btrfs snapshot is a subvolume of the pool, files as the sandbox left them (canonical
      // ids): the pool is mounted nosuid,nodev in a root-only dir, so no host user reaches them
      // and their bits are inert on the host.
      const pool = path.join(r.runDir, 'pool');
      expect(fs.statSync(pool).mode & 0o777).toBe(0o700);
      const opts = execFileSync('findmnt', ['-n', '-o', 'OPTIONS', '--target', pool], { encoding: 'utf8' });
      expect(opts).toMatch(/nosuid/);
      expect(opts).toMatch(/nodev/);
      expect(asNobody(['ls', path.join(pool, 'snapshots')]).status).not.toBe(0);
    }
    // Either way a fork's setuid file gives its user nothing (no-new-privileges, nosuid mounts).
    const fork = await r.client.create({ snapshotId: snap.id });
    const out = await r.client.exec(fork.id, { cmd: sh('/tmp/suid-id -u'), user: 'user' });
    expect(out.stdout).toBe('1000\n');
    await r.client.delete(fork.id);
    await r.client.snapshots.delete(snap.id);
  });

  it('root inside cannot take over its agent: no ptrace, no descriptors, no kill', async () => {
    const probe = await exec(`python3 - <<'PY'
import ctypes, os, signal
libc = ctypes.CDLL(None, use_errno=True)
print('init', open('/proc/1/cmdline').read().split('\\0')[0])
try:
    print('fd3', os.readlink('/proc/1/fd/3'))
except PermissionError:
    print('fd denied')
print('ptrace', libc.ptrace(16, 1, 0, 0), ctypes.get_errno())
pidfd = libc.syscall(434, 1, 0)  # pidfd_open(1)
print('getfd', libc.syscall(438, pidfd, 3, 0), ctypes.get_errno())  # pidfd_getfd(pidfd, 3)
try:
    os.kill(1, signal.SIGKILL)
except OSError as e:
    print('kill', e.errno)
PY`);
    expect(probe.stdout).toContain('init /opt/warren/warren-agent');
    expect(probe.stdout).toContain('fd denied');
    expect(probe.stdout).toContain('ptrace -1 1'); // EPERM
    expect(probe.stdout).toContain('getfd -1 1');
    // SIGKILL to a namespace's init from inside is ignored: the agent still answers.
    expect((await exec('echo alive')).stdout).toBe('alive\n');
  });

  it('its own mount table names no host path, data dir, run dir or internal key', async () => {
    const out = await exec('cat /proc/self/mountinfo /proc/1/mountinfo; ls -la /run/warren /opt/warren');
    expect(out.exitCode).toBe(0);
    const text = out.stdout;
    expect(text).toContain(' / / '); // it did read its mount table
    for (const secret of [key, r.dataDir, r.runDir, path.dirname(r.dataDir), 'warren-test', 'warren-runner-test', '/sandboxes/', '/layers/']) {
      expect(text).not.toContain(secret);
    }
    expect(text).toMatch(/lowerdir=l0,upperdir=disk\/upper,workdir=disk\/work/);
  });
});
