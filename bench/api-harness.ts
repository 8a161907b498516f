/**
 * Shared set-up of the API benchmarks: a console to talk to over HTTP and an owner API key.
 * With WARREN_BENCH_URL and WARREN_BENCH_KEY set, uses that console. Otherwise it starts one
 * (`server.ts` in production mode: run `next build` first) on a free port with a temp data dir,
 * a fresh Postgres database on 127.0.0.1:5432 (or DATABASE_URL's server), its own embedded
 * runner, and creates an admin, an org and a key with the CLI. WARREN_BENCH_DB=pglite uses the
 * embedded database instead of Postgres.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { unixSocketOf } from '../db/postgres';
import { cleanupRunnerData } from './api-cleanup';
import { nodeArgsFor } from '../lib/ts-bundle.mjs';

// biome-ignore lint/suspicious/noExplicitAny: bench replies are inspected loosely
type Json = any;
export type Reply = { status: number; json: Json; ms: number };

export type Api = {
  base: string;
  key: string;
  call: (method: string, p: string, body?: unknown, headers?: Record<string, string>) => Promise<Reply>;
  close: () => Promise<void>;
  /** When this harness started the console: its pid and data dir (its runner's is `<dataDir>/runner`). */
  consolePid?: number;
  dataDir?: string;
};

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

export function request(base: string, key: string, method: string, p: string, body?: unknown, headers: Record<string, string> = {}) {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const t0 = performance.now();
  return new Promise<Reply>((resolve, reject) => {
    const req = http.request(`${base}${p}`, {
      method,
      agent,
      headers: { authorization: `Bearer ${key}`, ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}), ...headers },
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        let json: unknown = text;
        try {
          json = JSON.parse(text);
        } catch {}
        resolve({ status: res.statusCode ?? 0, json, ms: performance.now() - t0 });
      });
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      // A kept-alive socket the server closed while idle (its keep-alive timeout) resets when
      // reused: the request never reached the server, so sending it again is safe (Node's docs).
      if (req.reusedSocket && err.code === 'ECONNRESET') resolve(request(base, key, method, p, body, headers));
      else reject(err);
    });
    req.end(payload);
  });
}

export const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });

export async function startApi(opts: { env?: Record<string, string> } = {}): Promise<Api> {
  if (process.env.WARREN_BENCH_URL && process.env.WARREN_BENCH_KEY) {
    const base = process.env.WARREN_BENCH_URL.replace(/\/$/, '');
    const key = process.env.WARREN_BENCH_KEY;
    return { base, key, call: (m, p, b, h) => request(base, key, m, p, b, h), close: async () => {} };
  }
  const root = path.resolve(import.meta.dirname, '..');
  if (!fs.existsSync(path.join(root, '.next', 'BUILD_ID'))) throw new Error('No production build in .next: run `npx next build` first (or set WARREN_BENCH_URL/WARREN_BENCH_KEY)');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-bench-'));
  const admin = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const dbName = `warren_bench_${process.pid}`;
  const socket = unixSocketOf(admin); // `?host=/var/run/postgresql`: the server's Unix socket
  const sql = postgres(socket?.url ?? admin, { max: 1, onnotice: () => {}, ...(socket ? { path: socket.path } : {}) });
  await sql.unsafe(`create database ${dbName}`);
  const url = new URL(admin);
  url.pathname = `/${dbName}`;
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    WARREN_DATA_DIR: dataDir,
    DATABASE_URL: url.toString(),
    // The Free plan is seeded from these on this fresh database: room for the benches, and no
    // per-key rate limit in the way of the latency being measured.
    WARREN_DEFAULT_MAX_SANDBOXES: '1000',
    WARREN_DEFAULT_MAX_RUNNING_CPU: '100000',
    WARREN_DEFAULT_MAX_RUNNING_MEMORY_MB: '100000000',
    WARREN_DEFAULT_API_RPM: '100000000',
    WARREN_LOG_LEVEL: 'warn',
    WARREN_ADMIN_EMAIL: 'bench@bench.example',
    WARREN_ADMIN_PASSWORD: 'bench-password-123',
    // The E2B gateway only where a bench asks for it (bench/e2b-compat): never a port clash.
    WARREN_E2B_PORT: '0',
    // The benches measure the built-in host template (a bench names another one when it wants it).
    WARREN_DEFAULT_TEMPLATE: 'host',
    WARREN_HOST_TEMPLATE: 'on',
    ...opts.env,
  };
  // WARREN_BENCH_DB=pglite: the embedded database in the data dir instead of Postgres.
  if (process.env.WARREN_BENCH_DB === 'pglite') delete env.DATABASE_URL;
  // No runner URL: the console starts its own embedded runner, as the quick start does.
  delete env.WARREN_RUNNER_URL;
  delete env.WARREN_RUNNER_TOKEN;
  // Own process group, so stopping it also stops its embedded runner whatever happens.
  // WARREN_BENCH_CPU_PROF=<dir>: the console writes a V8 CPU profile there when it exits.
  // WARREN_BENCH_NODE_ARGS: more Node flags for the console (--inspect, --trace-gc), space-separated.
  const prof = process.env.WARREN_BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.WARREN_BENCH_CPU_PROF}`] : [];
  // The Node flags scripts/up starts the console with (its young-generation size).
  const child: ChildProcess = spawn(process.execPath, ['--max-semi-space-size=64', ...(process.env.WARREN_BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []), ...prof, '--import', 'tsx', 'server.ts'], { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'], detached: true });
  child.stdout!.on('data', (d) => process.env.WARREN_BENCH_DEBUG && process.stderr.write(d));
  const teardown = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      process.kill(-child.pid!, 'SIGTERM');
      await exited;
    }
    await new Promise((r) => setTimeout(r, 500)); // the runner child exits just after the console
    await cleanupRunnerData(dataDir);
    await sql.unsafe(`drop database if exists ${dbName} with (force)`);
    await sql.end();
  };
  try {
    return { ...(await ready(child, port, root, env, teardown)), consolePid: child.pid, dataDir };
  } catch (err) {
    await teardown();
    throw err;
  }
}

async function ready(child: ChildProcess, port: number, root: string, env: NodeJS.ProcessEnv, teardown: () => Promise<void>): Promise<Api> {
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error('console exited during start-up');
    const ok = await request(base, '', 'GET', '/api/health').then((r) => r.status === 200, () => false);
    if (ok) break;
    if (i > 600) throw new Error('console did not come up in 120 s');
    await new Promise((r) => setTimeout(r, 200));
  }
  const cli = (...args: string[]) =>
    execFileSync(process.execPath, [...nodeArgsFor(path.join(root, 'cli/main.ts')), ...args], { cwd: root, env, encoding: 'utf8' }).trim().split('\n').at(-1)!;
  const slug = cli('org', 'create', '--name', 'Bench', '--owner', 'bench@bench.example');
  const key = cli('apikey', 'create', '--org', slug, '--role', 'owner', '--name', 'bench');
  const api: Api = {
    base,
    key,
    // A connection the console drops without answering is a bare "socket hang up": when the
    // console itself has died, say so (its own log went to this process's stderr).
    call: (m, p, b, h) =>
      request(base, key, m, p, b, h).catch((err) => {
        if (child.exitCode !== null || child.signalCode !== null)
          throw new Error(`the bench's console exited (code ${child.exitCode}, signal ${child.signalCode}) during ${m} ${p}: its log is above`, { cause: err });
        throw err;
      }),
    close: teardown,
  };
  // The embedded runner comes up after the console: wait until creates stop answering 503.
  for (let i = 0; i < 300; i++) {
    // The CLI calls above take seconds: the health check's kept-alive socket may have just been
    // closed by the server's keep-alive timeout, which a reuse sees as a reset. Try again.
    const r = await api.call('POST', '/api/v1/sandboxes', {}).catch((err) => (err.code === 'ECONNRESET' ? { status: 503, json: null, ms: 0 } : Promise.reject(err)));
    if (r.status === 201) {
      await api.call('DELETE', `/api/v1/sandboxes/${r.json.id}`);
      return api;
    }
    if (r.status !== 503) throw new Error(`create failed: ${r.status} ${JSON.stringify(r.json)}`);
    await new Promise((res) => setTimeout(res, 200));
  }
  throw new Error('runner did not become ready');
}
