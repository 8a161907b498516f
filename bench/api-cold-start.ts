/**
 * API cold start: POST /api/v1/sandboxes → first output of `echo` through POST …/exec, over
 * HTTP against a real console (see bench/api-harness.ts). The sandbox is deleted after each
 * sample, outside the timing. GAP_MS pauses between samples so the runner's warm pool can refill
 * (back to back, creates outrun the pool and most are cold). Usage: npx tsx bench/api-cold-start.ts [N=30] [GAP_MS=0]
 */
import { startApi } from './api-harness';
import { report } from './stats';

const N = Number(process.argv[2] ?? 30);
const GAP_MS = Number(process.argv[3] ?? 0);
const api = await startApi();
try {
  const total: number[] = [];
  const create: number[] = [];
  const firstExec: number[] = [];
  for (let i = 0; i < N; i++) {
    const t0 = performance.now();
    const c = await api.call('POST', '/api/v1/sandboxes', {});
    if (c.status !== 201) throw new Error(`create: ${c.status} ${JSON.stringify(c.json)}`);
    const e = await api.call('POST', `/api/v1/sandboxes/${c.json.id}/exec`, { cmd: ['echo', 'hi'] });
    const t1 = performance.now();
    if (e.json.stdout !== 'hi\n') throw new Error(`exec: ${e.status} ${JSON.stringify(e.json)}`);
    total.push(t1 - t0);
    create.push(c.ms);
    firstExec.push(e.ms);
    await api.call('DELETE', `/api/v1/sandboxes/${c.json.id}`);
    if (GAP_MS) await new Promise((r) => setTimeout(r, GAP_MS));
  }
  console.log(report(`API cold start (create → first exec output, ${GAP_MS} ms between samples)`, total));
  console.log(report('  of which POST /sandboxes', create));
  console.log(report('  of which first POST …/exec', firstExec));
} finally {
  await api.close();
}
