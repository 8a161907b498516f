/**
 * Exec round trip of `true` in a running sandbox: through the runner API (HTTP over its unix
 * socket → runner → in-sandbox agent) and, for comparison, `runc exec` straight into the
 * same container; then the API round trip in a gVisor sandbox. Usage: npx tsx bench/runner-exec.ts [N=200]
 */
import { execFileSync } from 'node:child_process';
import { readRecord, startRunner } from '../tests/runner/harness';
import { report, time } from './stats';

const N = Number(process.argv[2] ?? 200);
const r = await startRunner();
try {
  const sb = await r.client.create();
  for (let i = 0; i < 10; i++) await r.client.exec(sb.id, { cmd: ['true'] }); // warm up
  const api: number[] = [];
  for (let i = 0; i < N; i++) api.push((await time(() => r.client.exec(sb.id, { cmd: ['true'] })))[0]);
  console.log(report('exec `true` via runner API + agent', api));

  const { key } = readRecord(r.dataDir, sb.id);
  const runc: number[] = [];
  for (let i = 0; i < Math.min(N, 50); i++) {
    const t0 = performance.now();
    execFileSync('runc', ['--root', `${r.runDir}/runc`, 'exec', '--user', '1000:1000', key, 'true']);
    runc.push(performance.now() - t0);
  }
  console.log(report('exec `true` via plain `runc exec` (for comparison)', runc));

  const gv = await r.client.create({ isolation: 'gvisor' });
  for (let i = 0; i < 10; i++) await r.client.exec(gv.id, { cmd: ['true'] });
  const gvisor: number[] = [];
  for (let i = 0; i < N; i++) gvisor.push((await time(() => r.client.exec(gv.id, { cmd: ['true'] })))[0]);
  console.log(report('exec `true` via runner API + agent, gVisor sandbox', gvisor));
} finally {
  await r.destroy();
}
