import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunnerHandle, readRecord, sh, startRunner } from './harness';
import { ISOLATION_LEVELS } from './levels';

/** Snapshots and forks, runner restarts (recovery asks each sandbox's own runtime), and that a delete leaves nothing behind. */
describe.each(ISOLATION_LEVELS)('snapshots, restarts and clean deletes (real sandboxes, isolation %s)', (isolation) => {
  let r: RunnerHandle;
  beforeAll(async () => {
    r = await startRunner();
  });
  afterAll(() => r?.destroy());

  it('round-trips binary and large files', async () => {
    const sb = await r.client.create({ isolation });
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    await r.client.files.write(sb.id, '/home/user/bytes.bin', all);
    expect(Buffer.compare(await r.client.files.readBuffer(sb.id, '/home/user/bytes.bin'), all)).toBe(0);

    const big = crypto.randomBytes(24 * 1024 * 1024);
    await r.client.files.write(sb.id, '/home/user/data/big.bin', big, { parents: true });
    const sum = await r.client.exec(sb.id, { cmd: ['sha256sum', '/home/user/data/big.bin'] });
    expect(sum.stdout.split(' ')[0]).toBe(crypto.createHash('sha256').update(big).digest('hex'));
    const back = await r.client.files.readBuffer(sb.id, '/home/user/data/big.bin');
    expect(back.length).toBe(big.length);

    const entries = await r.client.files.list(sb.id, '/home/user/data');
    expect(entries.map((e) => [e.name, e.type, e.size])).toEqual([['big.bin', 'file', big.length]]);
    await r.client.files.rename(sb.id, '/home/user/data/big.bin', '/home/user/data/moved.bin');
    await r.client.files.remove(sb.id, '/home/user/data', { recursive: true });
    await expect(r.client.files.list(sb.id, '/home/user/data')).rejects.toMatchObject({ status: 404 });
  });

  it('snapshot → fork sees the files; changes in the fork do not reach the parent', async () => {
    const parent = await r.client.create({ isolation });
    await r.client.exec(parent.id, { cmd: sh('mkdir -p project && echo v1 > project/app.txt && rm -f .bashrc') });
    const snap = await r.client.snapshots.create(parent.id, 'v1');
    expect(snap).toMatchObject({ name: 'v1', sandboxId: parent.id });
    expect(snap.sizeBytes).toBeGreaterThan(0);

    const listed = await r.client.snapshots.files.list(snap.id, '/home/user/project');
    expect(listed.map((e) => e.name)).toEqual(['app.txt']);
    expect((await r.client.snapshots.files.readBuffer(snap.id, '/home/user/project/app.txt')).toString()).toBe('v1\n');

    const fork = await r.client.create({ isolation, snapshotId: snap.id });
    const seen = await r.client.exec(fork.id, { cmd: sh('cat project/app.txt; ls -a | grep -c bashrc; python3 -c "import os, pwd, sys; print(pwd.getpwuid(os.stat(sys.argv[1]).st_uid).pw_name)" project/app.txt') });
    expect(seen.stdout).toBe('v1\n0\nuser\n'); // deletions (whiteouts) carry over too
    await r.client.exec(fork.id, { cmd: sh('echo fork > project/app.txt && echo new > project/only-fork.txt') });
    const parentView = await r.client.exec(parent.id, { cmd: sh('cat project/app.txt; ls project') });
    expect(parentView.stdout).toBe('v1\napp.txt\n');

    // In the btrfs pool a fork is a copy-on-write snapshot of its own: the snapshot may go first.
    await r.client.snapshots.delete(snap.id);
    expect((await r.client.exec(fork.id, { cmd: sh('cat project/app.txt project/only-fork.txt') })).stdout).toBe('fork\nnew\n');
    await r.client.delete(fork.id);
  });

  it('keeps sandboxes and their processes running across a runner restart', async () => {
    const sb = await r.client.create({ isolation });
    const bg = await r.client.processes.start(sb.id, { cmd: sh('while true; do date +%s >> /home/user/ticks; sleep 0.2; done'), tag: 'ticker' });
    await r.client.exec(sb.id, { cmd: sh('echo before > marker') });
    await r.restart();
    const again = await r.client.get(sb.id);
    expect(again.state).toBe('running');
    expect((await r.client.exec(sb.id, { cmd: ['cat', 'marker'] })).stdout).toBe('before\n');
    const procs = await r.client.processes.list(sb.id);
    expect(procs.find((p) => p.pid === bg.pid)?.running).toBe(true);
    const n1 = Number((await r.client.exec(sb.id, { cmd: sh('wc -l < ticks') })).stdout);
    await new Promise((res) => setTimeout(res, 600));
    const n2 = Number((await r.client.exec(sb.id, { cmd: sh('wc -l < ticks') })).stdout);
    expect(n2).toBeGreaterThan(n1);
    await r.client.processes.kill(sb.id, bg.pid);
  });

  it('delete leaves nothing behind: no mount, cgroup, process or directory', async () => {
    const sb = await r.client.create({ isolation, network: { mode: 'egress' } });
    await r.client.exec(sb.id, { cmd: sh('sleep 1000 & echo started') });
    const rec = readRecord(r.dataDir, sb.id);
    const home = path.join(r.dataDir, 'sandboxes', rec.key);
    const run = path.join(r.runDir, 'sb', rec.key);
    expect(fs.existsSync(home)).toBe(true);
    expect(mountsMatching(rec.key).length).toBeGreaterThan(0);
    expect(processesOfUidRange(rec.uidBase).length).toBeGreaterThan(0);

    await r.client.delete(sb.id);
    expect(mountsMatching(rec.key)).toEqual([]);
    expect(fs.existsSync(home)).toBe(false);
    expect(fs.existsSync(run)).toBe(false);
    expect(processesOfUidRange(rec.uidBase)).toEqual([]);
    expect(cgroupDirsFor(rec.key)).toEqual([]);
    expect(slirpProcessesFor(rec.key)).toEqual([]);
  });
});

function mountsMatching(key: string): string[] {
  return fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(key));
}

/**
 * Live processes running as the sandbox's host uids. A killed container's init is re-parented
 * to the host's PID 1, whose job is to reap it; until then it is a zombie (no memory, no files,
 * nothing running), which is why zombies are not counted.
 */
function processesOfUidRange(base: number): number[] {
  const pids: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const status = fs.readFileSync(`/proc/${name}/status`, 'utf8');
      const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
      const zombie = /^State:\s+Z/m.test(status);
      if (uid >= base && uid < base + 65536 && !zombie) pids.push(Number(name));
    } catch {}
  }
  return pids;
}

function cgroupDirsFor(key: string): string[] {
  const root = '/sys/fs/cgroup';
  const candidates = [`${root}/warren/${key}`, ...fs.readdirSync(root).map((c) => `${root}/${c}/warren/${key}`)];
  return candidates.filter((d) => fs.existsSync(d));
}

function slirpProcessesFor(key: string): number[] {
  return fs
    .readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .filter((n) => {
      try {
        return fs.readFileSync(`/proc/${n}/cmdline`, 'utf8').includes('slirp4netns') && fs.readFileSync(`/proc/${n}/cmdline`, 'utf8').includes(key);
      } catch {
        return false;
      }
    })
    .map(Number);
}
