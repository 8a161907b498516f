/**
 * API throughput: GET /api/v1/sandboxes (a page of 20 sandboxes) from 50 concurrent keep-alive
 * connections for a fixed time; prints requests per second and latency percentiles.
 * Usage: npx tsx bench/api-throughput.ts [seconds=10] [connections=50]
 */
import { startApi } from './api-harness';
import { report } from './stats';

const SECONDS = Number(process.argv[2] ?? 10);
const CONNECTIONS = Number(process.argv[3] ?? 50);
const api = await startApi();
const ids: string[] = [];
try {
  for (let i = 0; i < 20; i++) {
    const c = await api.call('POST', '/api/v1/sandboxes', { metadata: { bench: 'throughput', n: String(i) } });
    if (c.status !== 201) throw new Error(`create: ${c.status} ${JSON.stringify(c.json)}`);
    ids.push(c.json.id);
  }
  for (let i = 0; i < 200; i++) await api.call('GET', '/api/v1/sandboxes?limit=20'); // warm up
  const samples: number[] = [];
  let errors = 0;
  const end = performance.now() + SECONDS * 1000;
  const worker = async () => {
    while (performance.now() < end) {
      const r = await api.call('GET', '/api/v1/sandboxes?limit=20');
      if (r.status !== 200 || r.json.sandboxes?.length !== 20) errors++;
      samples.push(r.ms);
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  const elapsed = (performance.now() - t0) / 1000;
  console.log(`GET /api/v1/sandboxes x${CONNECTIONS} connections: ${(samples.length / elapsed).toFixed(0)} req/s over ${elapsed.toFixed(1)} s, ${errors} errors`);
  console.log(report('  latency', samples));
} finally {
  for (const id of ids) await api.call('DELETE', `/api/v1/sandboxes/${id}`);
  await api.close();
}
