import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findLeaks, newOwned, watchKeys } from '../faults/leaks';
import { type RunnerHandle, readRecord, sh, startRunner } from './harness';

/**
 * The btrfs storage backend (README: Storage): a subvolume per sandbox in the runner's pool,
 * quota groups as the disk limit, snapshots and forks as subvolume snapshots.
 */
describe('btrfs storage: snapshots, forks, quotas and clean deletes (real containers)', () => {
  let r: RunnerHandle;
  const owned = newOwned();
  let unwatch = () => {};
  const pool = () => path.join(r.runDir, 'pool');
  const subvolumes = (dir: 'sandboxes' | 'snapshots') => fs.readdirSync(path.join(pool(), dir)).sort();

  beforeAll(async () => {
    r = await startRunner({ env: { WARREN_RUNNER_STORAGE: 'btrfs' } });
    unwatch = watchKeys(r, owned);
  });
  afterAll(async () => {
    unwatch();
    await r?.destroy();
  });

  it('gives each sandbox its own subvolume, limited by a quota group of its disk size', async () => {
    const sb = await r.client.create({ resources: { cpu: 1, memoryMb: 256, diskMb: 96 } });
    const { key } = readRecord(r.dataDir, sb.id) as { key: string; storage?: string };
    expect((readRecord(r.dataDir, sb.id) as { storage?: string }).storage).toBe('btrfs');
    expect(subvolumes('sandboxes')).toContain(key);
    const qgroups = execFileSync('btrfs', ['qgroup', 'show', '-re', '--raw', pool()], { encoding: 'utf8' });
    const line = qgroups.split('\n').find((l) => l.trim().endsWith(`sandboxes/${key}`));
    expect(line?.trim().split(/\s+/)[3]).toBe(String(96 * 1024 * 1024));
    // No disk image any more: the sandbox's home keeps only its record and bundle.
    expect(fs.existsSync(path.join(r.dataDir, 'sandboxes', key, 'disk.img'))).toBe(false);
    await r.client.delete(sb.id);
    expect(subvolumes('sandboxes')).not.toContain(key);
  });

  it('a snapshot of a sandbox writing during it holds every write acknowledged before it, none torn', { timeout: 120_000 }, async () => {
    const sb = await r.client.create();
    const snapshots: string[] = [];
    // Fixed-size records appended one write() each, then `count` replaced atomically: in any
    // point-in-time image, the records are whole, in order, and at least `count` of them.
    const writer = `
import os, time
fd = os.open('/home/user/records', os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
i = 0
while True:
    body = ('%08d' % i).encode()
    os.write(fd, body * 512)
    with open('/home/user/count.tmp', 'w') as f:
        f.write(str(i + 1))
    os.replace('/home/user/count.tmp', '/home/user/count')
    i += 1
    time.sleep(0.001)  # ~4 MB/s: the snapshots stay small enough to read back whole
`;
    await r.client.files.write(sb.id, '/home/user/writer.py', Buffer.from(writer));
    await r.client.processes.start(sb.id, { cmd: ['python3', '/home/user/writer.py'], tag: 'writer' });
    await waitFor(async () => Number((await r.client.exec(sb.id, { cmd: sh('cat count 2>/dev/null || echo 0') })).stdout) > 50);

    const seen: number[] = [];
    for (let round = 0; round < 4; round++) {
      const snap = await r.client.snapshots.create(sb.id);
      snapshots.push(snap.id);
      const records = await r.client.snapshots.files.readBuffer(snap.id, '/home/user/records');
      const count = Number((await r.client.snapshots.files.readBuffer(snap.id, '/home/user/count')).toString());
      expect(records.length % 4096, 'a torn record').toBe(0);
      const n = records.length / 4096;
      expect(n).toBeGreaterThanOrEqual(count);
      expect(n).toBeLessThanOrEqual(count + 1); // at most the one written before count moved
      for (let i = 0; i < n; i++) {
        expect(records.subarray(i * 4096, (i + 1) * 4096).equals(Buffer.from(`${String(i).padStart(8, '0')}`.repeat(512))), `record ${i}`).toBe(true);
      }
      seen.push(count);
      await new Promise((res) => setTimeout(res, 100));
    }
    expect(seen[3]).toBeGreaterThan(seen[0]!); // the writer kept going: each freeze was brief
    for (const id of snapshots.splice(0)) await r.client.snapshots.delete(id);
    expect((await r.client.get(sb.id)).state).toBe('running');

    // What a process wrote just before (never synced) is in the snapshot, and in a fork of it.
    const blob = await r.client.exec(sb.id, { cmd: sh('head -c 8388608 /dev/urandom > blob && sha256sum blob | cut -d" " -f1') });
    const snap = await r.client.snapshots.create(sb.id);
    const fork = await r.client.create({ snapshotId: snap.id });
    expect((await r.client.exec(fork.id, { cmd: sh('sha256sum blob | cut -d" " -f1; cat count > /dev/null && echo ok; stat -c %U blob') })).stdout).toBe(
      `${blob.stdout.trim()}\nok\nuser\n`,
    );
    // The fork is its own copy-on-write: changing it never reaches the parent or the snapshot.
    await r.client.exec(fork.id, { cmd: sh('echo fork > blob') });
    expect((await r.client.exec(sb.id, { cmd: sh('sha256sum blob | cut -d" " -f1') })).stdout.trim()).toBe(blob.stdout.trim());
    await r.client.delete(fork.id);
    await r.client.delete(sb.id);
    await r.client.snapshots.delete(snap.id);
  });

  it('snapshots a stopped sandbox and forks it', async () => {
    const sb = await r.client.create();
    await r.client.exec(sb.id, { cmd: sh('echo stopped-state > marker') });
    await r.client.stop(sb.id);
    const snap = await r.client.snapshots.create(sb.id);
    expect(snap.sizeBytes).toBeGreaterThan(0);
    const fork = await r.client.create({ snapshotId: snap.id });
    expect((await r.client.exec(fork.id, { cmd: ['cat', 'marker'] })).stdout).toBe('stopped-state\n');
    await r.client.start(sb.id);
    expect((await r.client.exec(sb.id, { cmd: ['cat', 'marker'] })).stdout).toBe('stopped-state\n');
    for (const id of [fork.id, sb.id]) await r.client.delete(id);
    await r.client.snapshots.delete(snap.id);
  });

  it('enforces the disk quota inside the sandbox, and a fork counts what it shares', async () => {
    const sb = await r.client.create({ resources: { cpu: 1, memoryMb: 256, diskMb: 64 } });
    const fill = await r.client.exec(sb.id, { cmd: sh('dd if=/dev/zero of=fill bs=1M count=100 2>&1; sync; du -m fill | cut -f1') });
    expect(fill.stdout).toMatch(/Disk quota exceeded/);
    expect(Number(fill.stdout.trim().split('\n').at(-1))).toBeLessThanOrEqual(64);
    await r.client.exec(sb.id, { cmd: sh('rm fill && head -c 41943040 /dev/zero > shared') });
    expect((await r.client.exec(sb.id, { cmd: sh('echo writable again > ok; cat ok') })).stdout).toBe('writable again\n');

    const snap = await r.client.snapshots.create(sb.id);
    const fork = await r.client.create({ snapshotId: snap.id, resources: { cpu: 1, memoryMb: 256, diskMb: 64 } });
    const more = await r.client.exec(fork.id, { cmd: sh('dd if=/dev/zero of=more bs=1M count=60 2>&1; sync; du -m more | cut -f1') });
    expect(more.stdout).toMatch(/Disk quota exceeded/);
    expect(Number(more.stdout.trim().split('\n').at(-1))).toBeLessThanOrEqual(64 - 40);
    expect((await r.client.metrics(fork.id)).diskBytes).toBeGreaterThan(40 * 1024 * 1024);
    await r.client.delete(fork.id);
    await r.client.delete(sb.id);
    await r.client.snapshots.delete(snap.id);
  });

  it('shows the sandbox nothing of the pool, and gives it no way to act on it', async () => {
    const sb = await r.client.create();
    const out = await r.client.exec(sb.id, {
      user: 'root',
      cmd: sh('cat /proc/self/mountinfo; ls /sys/fs/btrfs 2>&1 | head -3; btrfs subvolume list / 2>&1; btrfs subvolume create /home/user/sv 2>&1; ls /dev | grep -c loop'),
    });
    const { key } = readRecord(r.dataDir, sb.id);
    expect(out.stdout).not.toContain(r.runDir);
    expect(out.stdout).not.toContain(key);
    expect(out.stdout).not.toMatch(/ - btrfs /); // no btrfs mount at all: only the overlay on top of it
    expect(out.stdout).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/); // the pool's quota groups are masked
    expect(out.stdout).toMatch(/not a btrfs filesystem|Inappropriate ioctl|ERROR/);
    expect(out.stdout.trim().split('\n').at(-1)).toBe('0');
    // Files are stored under canonical ids; the pool is root-only, and so is every subvolume in it.
    expect(fs.statSync(pool()).mode & 0o777).toBe(0o700);
    await r.client.delete(sb.id);
  });

  it('deleting sandboxes and snapshots frees their space and leaves nothing behind', async () => {
    const free = () => {
      // Waits for btrfs's cleaner to drop every deleted subvolume, then commits.
      execFileSync('btrfs', ['subvolume', 'sync', pool()]);
      execFileSync('btrfs', ['filesystem', 'sync', pool()]);
      const s = fs.statfsSync(pool());
      return s.bavail * s.bsize;
    };
    const before = free();
    const sb = await r.client.create();
    await r.client.exec(sb.id, { cmd: sh('head -c 209715200 /dev/urandom > big && sync') });
    const snap = await r.client.snapshots.create(sb.id);
    const fork = await r.client.create({ snapshotId: snap.id });
    await r.client.exec(fork.id, { cmd: sh('head -c 52428800 /dev/urandom > more && sync') });
    expect(before - free()).toBeGreaterThan(200 * 1024 * 1024);

    await r.client.delete(fork.id);
    await r.client.snapshots.delete(snap.id);
    await r.client.delete(sb.id);
    expect(subvolumes('sandboxes')).toEqual([]);
    expect(subvolumes('snapshots')).toEqual([]);
    expect(before - free()).toBeLessThan(16 * 1024 * 1024);
    expect(findLeaks(r, owned)).toEqual([]);
  }, 120_000);

  // Last: it stops the runner. A delete leaves `btrfs subvolume sync` waiting on the cleaner for
  // seconds; one that outlived its runner kept the pool busy, so an operator could not unmount it.
  it('a stopped runner leaves nothing of its own holding the pool', async () => {
    const sb = await r.client.create();
    await r.client.delete(sb.id);
    const holders = () =>
      fs
        .readdirSync('/proc')
        .filter((p) => /^\d+$/.test(p))
        .map((p) => {
          try {
            return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').join(' ');
          } catch {
            return '';
          }
        })
        .filter((cmd) => cmd.includes(pool()));
    await r.stop();
    await waitFor(async () => holders().length === 0, 5_000).catch(() => {});
    expect(holders()).toEqual([]);
  });
});

async function waitFor(ok: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((res) => setTimeout(res, 200));
  }
}

/**
 * The migration path: sandboxes and snapshots made on ext4 images (before the pool, or by a
 * runner without btrfs) keep working after the runner starts with the pool; new ones land in it.
 */
describe('storage: image sandboxes after the switch to the btrfs pool (real containers)', () => {
  let r: RunnerHandle;
  const env: Record<string, string> = { WARREN_RUNNER_STORAGE: 'image' };
  beforeAll(async () => {
    r = await startRunner({ env });
  });
  afterAll(() => r?.destroy());

  it('keeps old sandboxes on their images, snapshots them by copy, and forks them into the pool', async () => {
    const old = await r.client.create({ resources: { cpu: 1, memoryMb: 256, diskMb: 128 } });
    await r.client.exec(old.id, { cmd: sh('echo from-the-image > kept') });
    const oldSnap = await r.client.snapshots.create(old.id);
    const { key } = readRecord(r.dataDir, old.id);
    expect(fs.existsSync(path.join(r.dataDir, 'sandboxes', key, 'disk.img'))).toBe(true);

    env.WARREN_RUNNER_STORAGE = 'auto';
    await r.restart();
    expect((await r.client.get(old.id)).state).toBe('running');
    expect((await r.client.exec(old.id, { cmd: ['cat', 'kept'] })).stdout).toBe('from-the-image\n');
    await r.client.stop(old.id);
    await r.client.start(old.id);
    expect((await r.client.exec(old.id, { cmd: ['cat', 'kept'] })).stdout).toBe('from-the-image\n');
    expect((readRecord(r.dataDir, old.id) as { storage?: string }).storage ?? 'image').toBe('image');

    // The image sandbox's snapshots are still copies; forks of them get a subvolume.
    const again = await r.client.snapshots.create(old.id);
    for (const snap of [oldSnap, again]) {
      const fork = await r.client.create({ snapshotId: snap.id });
      expect((readRecord(r.dataDir, fork.id) as { storage?: string }).storage).toBe('btrfs');
      expect((await r.client.exec(fork.id, { cmd: ['cat', 'kept'] })).stdout).toBe('from-the-image\n');
      await r.client.exec(fork.id, { cmd: sh('echo mine > kept') });
      expect((await r.client.exec(old.id, { cmd: ['cat', 'kept'] })).stdout).toBe('from-the-image\n');
      // A fork stacks a copied snapshot's layer: that snapshot stays until its forks are gone.
      await expect(r.client.snapshots.delete(snap.id)).rejects.toMatchObject({ status: 409 });
      await r.client.delete(fork.id);
      await r.client.snapshots.delete(snap.id);
    }
    const fresh = await r.client.create();
    expect((readRecord(r.dataDir, fresh.id) as { storage?: string }).storage).toBe('btrfs');
    for (const id of [fresh.id, old.id]) await r.client.delete(id);
    expect(fs.existsSync(path.join(r.dataDir, 'sandboxes', key))).toBe(false);
  }, 180_000);
});

/** The pool's other sources, and the fallback to ext4 images where there is no btrfs. */
describe('storage: a pool in an existing btrfs mount, and the fallback (real containers)', () => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-btrfs-dir-'));
  const mnt = path.join(base, 'mnt');
  const runners: RunnerHandle[] = [];
  beforeAll(() => {
    execFileSync('truncate', ['-s', '4G', path.join(base, 'fs.img')]);
    execFileSync('mkfs.btrfs', ['-q', path.join(base, 'fs.img')]);
    fs.mkdirSync(mnt);
    execFileSync('mount', ['-o', 'loop', path.join(base, 'fs.img'), mnt]);
  });
  afterAll(async () => {
    for (const r of runners) await r.destroy();
    execFileSync('umount', ['-l', mnt]); // lazily: the runners' last mounts of it are going lazily too
    fs.rmSync(base, { recursive: true, force: true });
  });

  it('uses a dir on a mounted btrfs as the pool (WARREN_RUNNER_BTRFS_DIR)', async () => {
    const r = await startRunner({ env: { WARREN_RUNNER_STORAGE: 'btrfs', WARREN_RUNNER_BTRFS_DIR: mnt } });
    runners.push(r);
    const sb = await r.client.create({ resources: { cpu: 1, memoryMb: 256, diskMb: 64 } });
    const { key } = readRecord(r.dataDir, sb.id);
    expect(fs.readdirSync(path.join(mnt, 'warren', 'sandboxes'))).toEqual([key]);
    expect(fs.statSync(path.join(mnt, 'warren')).mode & 0o777).toBe(0o700);
    expect(fs.existsSync(path.join(r.dataDir, 'pool.img'))).toBe(false);
    const fill = await r.client.exec(sb.id, { cmd: sh('dd if=/dev/zero of=fill bs=1M count=100 2>&1') });
    expect(fill.stdout).toMatch(/Disk quota exceeded/);
    const snap = await r.client.snapshots.create(sb.id);
    expect(fs.readdirSync(path.join(mnt, 'warren', 'snapshots'))).toEqual([snap.id]);
    await r.client.delete(sb.id);
    await r.client.snapshots.delete(snap.id);
    expect(fs.readdirSync(path.join(mnt, 'warren', 'sandboxes'))).toEqual([]);
    expect(fs.readdirSync(path.join(mnt, 'warren', 'snapshots'))).toEqual([]);
  });

  it('falls back to ext4 images, with a warning, where the pool cannot be had', async () => {
    const logFile = path.join(base, 'fallback.log');
    // auto with a pool dir that is not on btrfs: the runner starts, and says why it fell back.
    const r = await startRunner({ env: { WARREN_RUNNER_STORAGE: 'auto', WARREN_RUNNER_BTRFS_DIR: base, WARREN_LOG_LEVEL: 'warn' }, logFile });
    runners.push(r);
    expect(fs.readFileSync(logFile, 'utf8')).toMatch(/STORAGE FALLBACK.*not on a btrfs filesystem|not on a btrfs filesystem.*STORAGE FALLBACK/);
    const sb = await r.client.create({ resources: { cpu: 1, memoryMb: 256, diskMb: 64 } });
    const { key } = readRecord(r.dataDir, sb.id);
    expect(fs.existsSync(path.join(r.dataDir, 'sandboxes', key, 'disk.img'))).toBe(true);
    await r.client.exec(sb.id, { cmd: sh('echo on-an-image > f') });
    const snap = await r.client.snapshots.create(sb.id);
    const fork = await r.client.create({ snapshotId: snap.id });
    expect((await r.client.exec(fork.id, { cmd: ['cat', 'f'] })).stdout).toBe('on-an-image\n');
    for (const id of [fork.id, sb.id]) await r.client.delete(id);
    await r.client.snapshots.delete(snap.id);
  });
});
