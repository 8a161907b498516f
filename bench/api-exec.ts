/**
 * API exec round trip: POST /api/v1/sandboxes/:id/exec of `true` in a running sandbox, over
 * HTTP with keep-alive, JSON and NDJSON forms. Usage: npx tsx bench/api-exec.ts [N=200]
 */
import { startApi } from './api-harness';
import { report } from './stats';

const N = Number(process.argv[2] ?? 200);
const api = await startApi();
try {
  const c = await api.call('POST', '/api/v1/sandboxes', {});
  if (c.status !== 201) throw new Error(`create: ${c.status} ${JSON.stringify(c.json)}`);
  const path = `/api/v1/sandboxes/${c.json.id}/exec`;
  for (let i = 0; i < 20; i++) await api.call('POST', path, { cmd: ['true'] }); // warm up
  // Interleaved, so both forms see the same background load on a shared machine.
  const json: number[] = [];
  const stream: number[] = [];
  for (let i = 0; i < N; i++) {
    const r = await api.call('POST', path, { cmd: ['true'] });
    if (r.status !== 200 || r.json.exitCode !== 0) throw new Error(`exec: ${r.status} ${JSON.stringify(r.json)}`);
    json.push(r.ms);
    const s = await api.call('POST', path, { cmd: ['true'] }, { accept: 'application/x-ndjson' });
    if (s.status !== 200) throw new Error(`exec stream: ${s.status}`);
    stream.push(s.ms);
  }
  console.log(report('API exec `true` (JSON)', json));
  console.log(report('API exec `true` (NDJSON stream, to the exit event)', stream));
  await api.call('DELETE', `/api/v1/sandboxes/${c.json.id}`);
} finally {
  await api.close();
}
