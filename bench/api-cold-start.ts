/**
 * API cold start: POST /api/v1/sandboxes → first output of `echo` through POST …/exec, over
 * HTTP against a real console (see bench/api-harness.ts). The sandbox is deleted after each
 * sample, outside the timing. GAP_MS pauses between samples so the runner's warm pool can refill
 * (back to back, creates outrun the pool and most are cold). SECRETS: `none` (default), `env`
 * (three env secrets), `allow` (an allow-list, no secrets), `egress` (one egress-only secret
 * with that allow-list: the CA, the bundle, the intercepting proxy), or `all` (the four in turn, sample by sample, to compare them under the same
 * load). Usage: npx tsx bench/api-cold-start.ts [N=30] [GAP_MS=0] [SECRETS=none]
 */
import { startApi } from './api-harness';
import { report } from './stats';

const N = Number(process.argv[2] ?? 30);
const GAP_MS = Number(process.argv[3] ?? 0);
const MODE = process.argv[4] ?? 'none';
const kinds = MODE === 'all' ? ['none', 'env', 'allow', 'egress'] : [MODE];
const api = await startApi();
const bodies: Record<string, object> = {
  none: {},
  env: { secrets: ['BENCH_A', 'BENCH_B', 'BENCH_C'] },
  // The allow-list alone (its proxy and bridge), to tell what egress secrets add to it.
  allow: { network: { mode: 'egress', allow: ['api.example.com'] } },
  egress: { secrets: ['BENCH_EGRESS'], network: { mode: 'egress', allow: ['api.example.com'] } },
};
try {
  if (MODE !== 'none') {
    for (const name of ['BENCH_A', 'BENCH_B', 'BENCH_C']) await api.call('POST', '/api/v1/secrets', { name, value: `bench-${name}-${'x'.repeat(40)}` });
    await api.call('POST', '/api/v1/secrets', { name: 'BENCH_EGRESS', value: `bench-egress-${'y'.repeat(40)}`, hosts: ['api.example.com'] });
  }
  const total = new Map(kinds.map((k) => [k, [] as number[]]));
  const create = new Map(kinds.map((k) => [k, [] as number[]]));
  const firstExec = new Map(kinds.map((k) => [k, [] as number[]]));
  for (let i = 0; i < N * kinds.length; i++) {
    const kind = kinds[i % kinds.length]!;
    const t0 = performance.now();
    const c = await api.call('POST', '/api/v1/sandboxes', bodies[kind]);
    if (c.status !== 201) throw new Error(`create: ${c.status} ${JSON.stringify(c.json)}`);
    const e = await api.call('POST', `/api/v1/sandboxes/${c.json.id}/exec`, { cmd: ['echo', 'hi'] });
    const t1 = performance.now();
    if (e.json.stdout !== 'hi\n') throw new Error(`exec: ${e.status} ${JSON.stringify(e.json)}`);
    total.get(kind)!.push(t1 - t0);
    create.get(kind)!.push(c.ms);
    firstExec.get(kind)!.push(e.ms);
    await api.call('DELETE', `/api/v1/sandboxes/${c.json.id}`);
    if (GAP_MS) await new Promise((r) => setTimeout(r, GAP_MS));
  }
  for (const kind of kinds) {
    console.log(report(`API cold start, secrets: ${kind} (create → first exec output, ${GAP_MS} ms between samples)`, total.get(kind)!));
    console.log(report('  of which POST /sandboxes', create.get(kind)!));
    console.log(report('  of which first POST …/exec', firstExec.get(kind)!));
  }
} finally {
  await api.close();
}
