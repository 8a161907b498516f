/**
 * Density: how much host memory each idle sandbox adds. Starts N idle sandboxes (default 40)
 * and reads the host's used memory (MemTotal − MemAvailable) before and after, plus the RSS
 * of the sandboxes' own processes (tini + agent). Usage: npx tsx bench/runner-density.ts [N=40]
 */
import fs from 'node:fs';
import { readRecord, startRunner } from '../tests/runner/harness';

const N = Number(process.argv[2] ?? 40);

function usedMiB(): number {
  const info = fs.readFileSync('/proc/meminfo', 'utf8');
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(info)?.[1] ?? 0);
  return (kb('MemTotal') - kb('MemAvailable')) / 1024;
}

/** RSS and PSS (shared pages divided among their users) of the processes in a uid range, MiB. */
function memOfUidRange(base: number): { rss: number; pss: number } {
  let rss = 0;
  let pss = 0;
  for (const pid of fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
      const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
      if (uid < base || uid >= base + 65536) continue;
      rss += Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
      pss += Number(/^Pss:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
    } catch {}
  }
  return { rss: rss / 1024, pss: pss / 1024 };
}

const r = await startRunner({ env: { WARREN_RUNNER_MAX_SANDBOXES: String(N + 10) } });
try {
  fs.writeFileSync('/proc/sys/vm/drop_caches', '3');
  await new Promise((res) => setTimeout(res, 1000));
  const before = usedMiB();
  const ids: string[] = [];
  for (let i = 0; i < N; i++) ids.push((await r.client.create({ resources: { cpu: 0.5, memoryMb: 256, diskMb: 512 } })).id);
  await new Promise((res) => setTimeout(res, 3000));
  fs.writeFileSync('/proc/sys/vm/drop_caches', '3');
  await new Promise((res) => setTimeout(res, 1000));
  const after = usedMiB();
  const mem = ids.map((id) => memOfUidRange(readRecord(r.dataDir, id).uidBase));
  const cgroup = await Promise.all(ids.map(async (id) => (await r.client.metrics(id)).memoryBytes / 1024 / 1024));
  const avg = (xs: number[]) => (xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(2);
  console.log(`density: ${N} idle sandboxes running`);
  console.log(`  host memory used (MemTotal − MemAvailable): ${(after - before).toFixed(1)} MiB in all, ${((after - before) / N).toFixed(2)} MiB per sandbox (noisy: the whole host)`);
  console.log(`  cgroup memory charged per sandbox (processes + kernel objects): ${avg(cgroup)} MiB`);
  console.log(`  processes inside (tini + agent): PSS ${avg(mem.map((m) => m.pss))} MiB, RSS ${avg(mem.map((m) => m.rss))} MiB per sandbox`);
} finally {
  await r.destroy();
}
