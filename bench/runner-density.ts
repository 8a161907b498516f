/**
 * Density: how much host memory each idle sandbox adds, at both isolation levels in one run.
 * Per level, starts N idle sandboxes (default 40) and reads the host's used memory
 * (MemTotal − MemAvailable) before and after, the memory each sandbox's cgroup is charged, and
 * the PSS/RSS of the host processes in its cgroup (runc: the agent; gVisor: also the Sentry and
 * the Gofer, which run outside the sandbox's uid range). The sandboxes of a level are deleted
 * before the next level starts. Usage: npx tsx bench/runner-density.ts [N=40] [levels=container,gvisor]
 */
import fs from 'node:fs';
import type { Isolation } from '../runner/sandbox/types';
import { readRecord, startRunner } from '../tests/runner/harness';

const N = Number(process.argv[2] ?? 40);
const LEVELS = (process.argv[3] ?? 'container,gvisor').split(',') as Isolation[];

function usedMiB(): number {
  const info = fs.readFileSync('/proc/meminfo', 'utf8');
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(info)?.[1] ?? 0);
  return (kb('MemTotal') - kb('MemAvailable')) / 1024;
}

/** RSS and PSS (shared pages divided among their users) of the processes in a sandbox's memory cgroup, MiB. */
function memOfCgroup(key: string): { rss: number; pss: number } {
  let rss = 0;
  let pss = 0;
  let pids: string[] = [];
  try {
    pids = fs.readFileSync(`/sys/fs/cgroup/memory/warren/${key}/cgroup.procs`, 'utf8').split('\n').filter(Boolean);
  } catch {}
  for (const pid of pids) {
    try {
      rss += Number(/^VmRSS:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
      pss += Number(/^Pss:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
    } catch {}
  }
  return { rss: rss / 1024, pss: pss / 1024 };
}

const settle = async () => {
  fs.writeFileSync('/proc/sys/vm/drop_caches', '3');
  await new Promise((res) => setTimeout(res, 1000));
};
const avg = (xs: number[]) => (xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(2);

const r = await startRunner({ env: { WARREN_RUNNER_MAX_SANDBOXES: String(N + 10) } });
try {
  console.log(`density: ${N} idle sandboxes running, per isolation level`);
  for (const isolation of LEVELS) {
    await settle();
    const before = usedMiB();
    const ids: string[] = [];
    for (let i = 0; i < N; i++) ids.push((await r.client.create({ isolation, resources: { cpu: 0.5, memoryMb: 256, diskMb: 512 } })).id);
    await new Promise((res) => setTimeout(res, 3000));
    await settle();
    const after = usedMiB();
    const mem = ids.map((id) => memOfCgroup(readRecord(r.dataDir, id).key));
    const cgroup = await Promise.all(ids.map(async (id) => (await r.client.metrics(id)).memoryBytes / 1024 / 1024));
    console.log(`  ${isolation}:`);
    console.log(`    host memory used (MemTotal − MemAvailable): ${(after - before).toFixed(1)} MiB in all, ${((after - before) / N).toFixed(2)} MiB per sandbox (noisy: the whole host)`);
    console.log(`    cgroup memory charged per sandbox (processes + kernel objects): ${avg(cgroup)} MiB`);
    console.log(`    host processes in its cgroup: PSS ${avg(mem.map((m) => m.pss))} MiB, RSS ${avg(mem.map((m) => m.rss))} MiB per sandbox`);
    for (const id of ids) await r.client.delete(id);
  }
} finally {
  await r.destroy();
}
