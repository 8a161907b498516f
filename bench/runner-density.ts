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

function rssOfUidRange(base: number): number {
  let kb = 0;
  for (const pid of fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
      const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
      if (uid >= base && uid < base + 65536) kb += Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    } catch {}
  }
  return kb / 1024;
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
  const rss = ids.reduce((s, id) => s + rssOfUidRange(readRecord(r.dataDir, id).uidBase), 0);
  console.log(`density: ${N} idle sandboxes running`);
  console.log(`  host memory used: +${(after - before).toFixed(1)} MiB in all, ${((after - before) / N).toFixed(2)} MiB per sandbox`);
  console.log(`  RSS of processes inside sandboxes: ${(rss / N).toFixed(2)} MiB per sandbox (tini + agent)`);
} finally {
  await r.destroy();
}
