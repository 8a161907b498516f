/**
 * What the E2B drop-in adds to a command: the official e2b client's `commands.run('echo x')`
 * (a Connect server-stream through Warren's envd gateway: access token → key → org → sandbox →
 * runner background process → output stream) against Warren's own API for the same command
 * (POST /api/v1/sandboxes/:id/exec with node:http and keep-alive), interleaved so both see the
 * same load, on one sandbox of a real Warren (bench/api-harness; `npx next build` first).
 * The client runs every command as `/bin/bash -l -c <cmd>`: a login shell reads the profile
 * files first, which the gateway cannot skip. So exec is measured twice: `echo x` as the API's
 * own users send it (bash -c), and the very argv the client sends, which isolates what the
 * gateway and the client add.
 * Last, both clients against stubs that answer at once (bench/e2b-client-floor.ts): what the e2b
 * client itself adds, which no server can remove.
 * Usage: npx tsx bench/e2b-compat.ts [N=200]
 * Against a running console: WARREN_BENCH_URL, WARREN_BENCH_KEY (an owner or admin key) and
 * WARREN_BENCH_E2B_PORT (its WARREN_E2B_PORT).
 */
import { Sandbox } from 'e2b';
import { freePort, startApi } from './api-harness';
import { clientFloors } from './e2b-client-floor';
import { percentile, report } from './stats';

const N = Number(process.argv[2] ?? 200);
const gatewayPort = Number(process.env.WARREN_BENCH_E2B_PORT ?? (await freePort()));
const api = await startApi({ env: { WARREN_E2B_PORT: String(gatewayPort), WARREN_E2B_DOMAIN: `e2b.localhost:${gatewayPort}` } });
try {
  const minted = await api.call('POST', '/api/v1/api-keys', { name: 'e2b bench', format: 'e2b' });
  if (minted.status !== 201) throw new Error(`minting an e2b key: ${minted.status} ${JSON.stringify(minted.json)}`);
  process.env.E2B_API_URL = `${api.base}/api/e2b`;
  process.env.E2B_SANDBOX_URL = `http://127.0.0.1:${gatewayPort}`;
  process.env.E2B_DOMAIN = `e2b.localhost:${gatewayPort}`;
  process.env.E2B_API_KEY = minted.json.key;
  const sbx = await Sandbox.create({ timeoutMs: 3_600_000 });
  const path = `/api/v1/sandboxes/${sbx.sandboxId}/exec`;
  const raw = async () => {
    const t0 = performance.now();
    const r = await api.call('POST', path, { cmd: 'echo x' });
    if (r.status !== 200 || r.json.stdout !== 'x\n') throw new Error(`raw exec: ${r.status} ${JSON.stringify(r.json)}`);
    return performance.now() - t0;
  };
  const login = async () => {
    const t0 = performance.now();
    const r = await api.call('POST', path, { cmd: ['/bin/bash', '-l', '-c', 'echo x'] });
    if (r.status !== 200 || r.json.stdout !== 'x\n') throw new Error(`login exec: ${r.status} ${JSON.stringify(r.json)}`);
    return performance.now() - t0;
  };
  const viaE2b = async () => {
    const t0 = performance.now();
    const r = await sbx.commands.run('echo x');
    if (r.stdout !== 'x\n') throw new Error(`e2b run: ${JSON.stringify(r)}`);
    return performance.now() - t0;
  };
  // Warm every path to a serving console's steady state (JIT: see bench/compare.ts); 20 rounds
  // until 2026-12-04.
  for (let i = 0; i < 300; i++) await Promise.all([raw(), login(), viaE2b()]);
  const series = { raw: [] as number[], login: [] as number[], e2b: [] as number[] };
  const runs = { raw, login, e2b: viaE2b };
  const order = ['raw', 'login', 'e2b'] as const;
  for (let i = 0; i < N; i++) {
    // Each round in a rotated order, so none of the three always goes first.
    for (let j = 0; j < order.length; j++) {
      const name = order[(i + j) % order.length]!;
      series[name].push(await runs[name]());
    }
  }
  console.log(report("Warren API exec `echo x` (bash -c; node:http, keep-alive)", series.raw));
  console.log(report("Warren API exec ['/bin/bash','-l','-c','echo x'] (the client's argv)", series.login));
  console.log(report("e2b 2.51 commands.run('echo x') via the envd gateway", series.e2b));
  const p = (a: number[], q: number) => percentile([...a].sort((x, y) => x - y), q);
  const diff = (a: number[], b: number[]) => `p50 ${(p(a, 50) - p(b, 50)).toFixed(2)} ms, p99 ${(p(a, 99) - p(b, 99)).toFixed(2)} ms, min ${(Math.min(...a) - Math.min(...b)).toFixed(2)} ms`;
  console.log(`gateway − API (same argv): ${diff(series.e2b, series.login)}`);
  console.log(`gateway − API (bash -c):   ${diff(series.e2b, series.raw)}`);
  await sbx.kill();
  // The clients' own cost, against stubs that answer at once (bench/e2b-client-floor.ts): the
  // part of the difference above that lies in the e2b client, not in Warren.
  const floors = await clientFloors(300);
  console.log(report('node:http POST against a stub (the API side’s own floor)', floors.http));
  console.log(report("e2b commands.run('echo x') against a stub envd (the client’s own floor)", floors.e2b));
  const clientPart = p(floors.e2b, 50) - p(floors.http, 50);
  console.log(`the e2b client's own part: ${clientPart.toFixed(2)} ms p50; gateway − API (same argv) without it: ${(p(series.e2b, 50) - p(series.login, 50) - clientPart).toFixed(2)} ms p50`);
} finally {
  await api.close();
}
