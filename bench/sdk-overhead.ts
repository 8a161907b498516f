/**
 * What the TypeScript SDK adds to a command: `sandbox.commands.run('echo x')` against the same
 * API call made raw (POST /api/v1/sandboxes/:id/exec with node:http and keep-alive, as
 * bench/api-exec does), interleaved so both see the same load. The SDK uses fetch with an
 * Idempotency-Key, as it does for every exec. First against a stub server that answers at once
 * (the client's own cost, free of the server's noise), then against a real Warren.
 * Usage: npx tsx bench/sdk-overhead.ts [N=300]
 */
import { Sandbox } from '@/sdk/src/index';
import { startApi } from './api-harness';
import { stubOverhead } from './sdk-stub';
import { percentile, report } from './stats';

const N = Number(process.argv[2] ?? 300);
for (const line of await stubOverhead(N * 10)) console.log(line);
const api = await startApi();
try {
  const sb = await Sandbox.create({ apiUrl: api.base, apiKey: api.key, timeoutSec: 3600 });
  const path = `/api/v1/sandboxes/${sb.id}/exec`;
  const raw = async () => {
    const t0 = performance.now();
    const r = await api.call('POST', path, { cmd: 'echo x' }, { 'idempotency-key': crypto.randomUUID() });
    if (r.status !== 200 || r.json.stdout !== 'x\n') throw new Error(`raw exec: ${r.status} ${JSON.stringify(r.json)}`);
    return performance.now() - t0;
  };
  const viaSdk = async () => {
    const t0 = performance.now();
    const r = await sb.commands.run('echo x');
    if (r.stdout !== 'x\n') throw new Error(`sdk exec: ${JSON.stringify(r)}`);
    return performance.now() - t0;
  };
  for (let i = 0; i < 30; i++) await Promise.all([raw(), viaSdk()]).catch((e) => Promise.reject(e)); // warm both paths
  const rawMs: number[] = [];
  const sdkMs: number[] = [];
  for (let i = 0; i < N; i++) {
    if (i % 2) {
      rawMs.push(await raw());
      sdkMs.push(await viaSdk());
    } else {
      sdkMs.push(await viaSdk());
      rawMs.push(await raw());
    }
  }
  console.log(report('raw API exec `echo x` (node:http, keep-alive)', rawMs));
  console.log(report('SDK commands.run(`echo x`)', sdkMs));
  const p50 = (a: number[]) => percentile([...a].sort((x, y) => x - y), 50);
  console.log(`SDK overhead at p50: ${(p50(sdkMs) - p50(rawMs)).toFixed(2)} ms`);
  await sb.kill();
} finally {
  await api.close();
}
