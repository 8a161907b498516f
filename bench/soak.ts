/**
 * Soak: a steady stream of sandbox work through the console's public API, for long enough to see
 * latency, memory or host resources drift. Each sandbox is created (from the warm pool when it has
 * one ready), runs two commands, every fifth one is snapshotted, and it is deleted (its snapshot
 * after it). Creates start at a fixed rate whatever the answers (open loop, at most --max-inflight
 * lives at once; the rest are counted as "behind"). Every minute it prints p50/p99 per operation,
 * errors, and the RSS of the console and its runner; at the end, what is left on the host of this
 * console's runner (mounts, loop devices, cgroups, containers, slirp4netns, processes, network
 * namespaces, sandbox dirs): it must be nothing, and the exit code says so.
 *
 * Usage (as root, after `npx next build`; or WARREN_BENCH_URL + WARREN_BENCH_KEY for a running
 * console, then without the host checks):
 *   npx tsx bench/soak.ts [--minutes 60] [--rate 10] [--max-inflight 64]
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadRunnerConfig } from '../runner/env';
import { newOwned, waitForNoLeaks, watchKeys } from '../tests/faults/leaks';
import { runnerQuiet } from '../tests/faults/runner-process';
import { startApi } from './api-harness';
import { childPid, rssMiB, Window } from './soak-stats';

const { values: args } = parseArgs({
  options: { minutes: { type: 'string', default: '60' }, rate: { type: 'string', default: '10' }, 'max-inflight': { type: 'string', default: '64' } },
});
const minutes = Number(args.minutes);
const rate = Number(args.rate);
const maxInflight = Number(args['max-inflight']);
if (!(minutes > 0 && rate > 0 && maxInflight > 0)) throw new Error('--minutes, --rate and --max-inflight must be positive numbers');

const api = await startApi();
const dirs = api.dataDir ? runnerDirs(api.dataDir) : undefined;
const owned = newOwned();
const unwatch = dirs ? watchKeys(dirs, owned) : () => {};
const window = new Window();
const total = new Window();
let inflight = 0;
let behind = 0;
let lives = 0;

/** One call, timed and checked: the JSON on the expected status, else null (counted as an error). */
async function op(name: string, want: number, method: string, p: string, body?: unknown) {
  const r = await api.call(method, p, body).catch((err: Error) => ({ status: 0, json: { error: { message: err.message } }, ms: 0 }));
  const ok = r.status === want;
  for (const w of [window, total]) w.add(name, r.ms, ok ? undefined : `${r.status} ${JSON.stringify(r.json).slice(0, 160)}`);
  return ok ? r.json : null;
}

async function life(n: number) {
  const sb = await op('create', 201, 'POST', '/api/v1/sandboxes', { metadata: { soak: String(n) } });
  if (!sb) return;
  const base = `/api/v1/sandboxes/${sb.id}`;
  await op('exec', 200, 'POST', `${base}/exec`, { cmd: ['bash', '-c', 'echo $((6*7)) > /home/user/answer'] });
  await op('exec', 200, 'POST', `${base}/exec`, { cmd: ['cat', '/home/user/answer'] });
  const snap = n % 5 === 0 ? await op('snapshot', 201, 'POST', `${base}/snapshots`, { name: `soak-${n}` }) : null;
  await op('delete', 200, 'DELETE', base);
  if (snap) await op('snapshot delete', 200, 'DELETE', `/api/v1/snapshots/${snap.id}`);
}

const started = Date.now();
const end = started + minutes * 60_000;
let minute = 0;
console.log(`soak: ${minutes} min at ${rate} creates/s (at most ${maxInflight} in flight) against ${api.base}`);
const ticker = setInterval(() => void report(), 60_000);
for (let next = Date.now(); next < end; next += 1000 / rate) {
  await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
  if (inflight >= maxInflight) {
    behind++;
    continue;
  }
  inflight++;
  void life(++lives).finally(() => inflight--);
}
while (inflight > 0) await new Promise((r) => setTimeout(r, 100));
clearInterval(ticker);
await report(`last ${(((Date.now() - started) % 60_000) / 1000).toFixed(0)} s`);
console.log(`\ntotal over ${((Date.now() - started) / 60_000).toFixed(1)} min: ${lives} sandboxes, ${behind} creates skipped (behind)`);
console.log(total.lines().join('\n'));
const leaks = await leftovers();
console.log(leaks.length ? `LEAKED:\n  ${leaks.join('\n  ')}` : 'leaked: nothing (mounts, loop devices, cgroups, containers, slirp4netns, processes, netns, sandbox dirs)');
process.exit(leaks.length ? 1 : 0);

async function report(label = `minute ${++minute}`) {
  const consoleRss = api.consolePid ? rssMiB(api.consolePid) : null;
  const runner = api.consolePid ? childPid(api.consolePid, 'runner/main.ts') : null;
  const mem = `console RSS ${consoleRss?.toFixed(0) ?? '?'} MiB, runner RSS ${runner ? (rssMiB(runner)?.toFixed(0) ?? '?') : '?'} MiB`;
  console.log(`\n[${label}] ${mem}, ${inflight} in flight, ${behind} behind so far`);
  console.log(window.lines().join('\n'));
  window.clear();
}

/** After the run: the API shows nothing, then the runner's host resources, before and after teardown. */
async function leftovers(): Promise<string[]> {
  const found: string[] = [];
  const list = await api.call('GET', '/api/v1/sandboxes');
  if (list.json?.sandboxes?.length) found.push(`${list.json.sandboxes.length} sandboxes still listed by the API`);
  const snaps = await api.call('GET', '/api/v1/snapshots');
  if (snaps.json?.snapshots?.length) found.push(`${snaps.json.snapshots.length} snapshots still listed by the API`);
  if (!dirs) return found;
  // Warm-pool members are live and expected while the console runs; after teardown nothing is.
  await runnerQuiet(childPid(api.consolePid!, 'runner/main.ts') ?? undefined);
  found.push(...(await waitForNoLeaks(dirs, owned)));
  await api.close();
  unwatch();
  found.push(...(await waitForNoLeaks(dirs, owned)).map((l) => `after teardown: ${l}`));
  return found;
}

function runnerDirs(dataDir: string) {
  const cfg = loadRunnerConfig({ ...process.env, WARREN_DATA_DIR: dataDir, WARREN_RUNNER_TOKEN: 'x'.repeat(16), WARREN_RUNNER_RUN_DIR: undefined });
  return { dataDir: cfg.dataDir, runDir: cfg.runDir, base: path.dirname(cfg.dataDir) };
}

