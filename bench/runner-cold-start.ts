/**
 * Cold start: POST create → first output of `echo` in the new sandbox, through the runner API.
 * Measured twice: served by the warm pool (the default) and with the pool off (a container
 * started per create), and at gVisor isolation (never pooled: runsc has no `update`).
 * Usage: npx tsx bench/runner-cold-start.ts [N=50]
 */
import type { Isolation } from '../runner/sandbox/types';
import { startRunner } from '../tests/runner/harness';
import { report, time } from './stats';

const N = Number(process.argv[2] ?? 50);

async function measure(poolSize: number, isolation: Isolation = 'container'): Promise<number[]> {
  const r = await startRunner({ poolSize });
  const samples: number[] = [];
  try {
    for (let i = 0; i < N; i++) {
      if (poolSize > 0) await waitForPool(r.client, Math.min(poolSize, 1));
      const [ms, id] = await time(async () => {
        const sb = await r.client.create({ isolation });
        for await (const ev of r.client.execStream(sb.id, { cmd: ['echo', 'ready'] })) {
          if (ev.type === 'stdout') break;
        }
        return sb.id;
      });
      samples.push(ms);
      await r.client.delete(id);
    }
  } finally {
    await r.destroy();
  }
  return samples;
}

async function waitForPool(client: Awaited<ReturnType<typeof startRunner>>['client'], n: number) {
  for (let i = 0; i < 200 && (await client.capacity()).poolReady < n; i++) await new Promise((r) => setTimeout(r, 50));
}

console.log(report('cold start, warm pool (create → first echo output)', await measure(2)));
console.log(report('cold start, no pool   (create → first echo output)', await measure(0)));
console.log(report('cold start, gVisor    (create → first echo output)', await measure(0, 'gvisor')));
