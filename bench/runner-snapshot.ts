/**
 * Snapshot and fork through the runner API, on both storage backends (README: Storage), with
 * 1 MiB and 1 GiB written to the sandbox's writable layer:
 *   - snapshot of a running sandbox (frozen while it is taken), and of a stopped one;
 *   - fork: create from the snapshot → first output of `echo` in the fork;
 *   - snapshot + fork, end to end;
 *   - btrfs only: the helper's snapshot ioctl alone (warren-btrfs, frozen), without the API.
 * Usage: npx tsx bench/runner-snapshot.ts [N=5] [backends=btrfs,image]
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { type RunnerHandle, readRecord, sh, startRunner } from '../tests/runner/harness';
import { report, time } from './stats';

const N = Number(process.argv[2] ?? 5);
const BACKENDS = (process.argv[3] ?? 'btrfs,image').split(',');
const SIZES: Array<[string, number]> = [
  ['1 MiB', 1],
  ['1 GiB', 1024],
];

async function firstOutput(r: RunnerHandle, id: string) {
  for await (const ev of r.client.execStream(id, { cmd: ['echo', 'ready'] })) if (ev.type === 'stdout') return;
}

async function measure(backend: string, label: string, mb: number) {
  const r = await startRunner({ env: { WARREN_RUNNER_STORAGE: backend } });
  const runningSnap: number[] = [];
  const stoppedSnap: number[] = [];
  const fork: number[] = [];
  const both: number[] = [];
  const ioctl: number[] = [];
  try {
    const sb = await r.client.create({ resources: { cpu: 1, memoryMb: 512, diskMb: mb + 512 } });
    // Written and synced: the writable layer holds `mb` MiB of incompressible data.
    await r.client.exec(sb.id, { cmd: sh(`head -c ${mb * 1024 * 1024} /dev/urandom > data && sync`), timeoutSec: 300 });
    const cleanup: Array<() => Promise<void>> = [];
    for (let i = 0; i < N; i++) {
      const [snapMs, snap] = await time(() => r.client.snapshots.create(sb.id));
      const [forkMs, forked] = await time(async () => {
        const f = await r.client.create({ snapshotId: snap.id, resources: { cpu: 1, memoryMb: 512, diskMb: mb + 512 } });
        await firstOutput(r, f.id);
        return f;
      });
      runningSnap.push(snapMs);
      fork.push(forkMs);
      both.push(snapMs + forkMs);
      cleanup.push(
        () => r.client.delete(forked.id),
        () => r.client.snapshots.delete(snap.id),
      );
    }
    if (backend === 'btrfs') {
      // The primitive under the API: one warren-btrfs run (freeze, snapshot ioctl, thaw).
      const pool = path.join(r.runDir, 'pool');
      const { key } = readRecord(r.dataDir, sb.id);
      const helper = path.resolve(import.meta.dirname, '..', 'runner', 'native', 'build', 'warren-btrfs');
      const freezer = ['/sys/fs/cgroup/freezer', '/sys/fs/cgroup'].map((root) => `${root}/warren/${key}`).find((d) => fs.existsSync(d))!;
      for (let i = 0; i < N; i++) {
        const dst = path.join(pool, 'snapshots', `bench${i}`);
        const [ms] = await time(async () => execFileSync(helper, ['snapshot', '--ro', '--freeze', freezer, path.join(pool, 'sandboxes', key), dst]));
        ioctl.push(ms);
        execFileSync('btrfs', ['subvolume', 'delete', dst]);
      }
    }
    await r.client.stop(sb.id);
    for (let i = 0; i < N; i++) {
      const [ms, snap] = await time(() => r.client.snapshots.create(sb.id));
      stoppedSnap.push(ms);
      cleanup.push(() => r.client.snapshots.delete(snap.id));
    }
    for (const c of cleanup) await c();
  } finally {
    await r.destroy();
  }
  const tag = `${backend.padEnd(5)} ${label}`;
  console.log(report(`${tag} snapshot (running, frozen)`, runningSnap));
  console.log(report(`${tag} snapshot (stopped)        `, stoppedSnap));
  console.log(report(`${tag} fork → first output       `, fork));
  console.log(report(`${tag} snapshot + fork           `, both));
  if (ioctl.length) console.log(report(`${tag} warren-btrfs snapshot alone`, ioctl));
}

for (const [label, mb] of SIZES) for (const backend of BACKENDS) await measure(backend, label, mb);
