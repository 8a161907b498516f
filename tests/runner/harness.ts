import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRunnerClient, type RunnerClient } from '@/lib/runner-client';
import { mountsUnder } from '@/runner/runtime/disk';
import { waitForSocket } from '@/lib/net/wait-for-socket';
import { runnerNodeArgs } from '@/runner/entry';

/**
 * Starts a real runner process (as the console would) on a fresh data dir and a unix socket,
 * and gives a typed client to it. Every test here runs real runc sandboxes as root.
 */
export type RunnerHandle = {
  client: RunnerClient;
  dataDir: string;
  runDir: string;
  token: string;
  restart(): Promise<void>;
  stop(): Promise<void>;
  /** kill -9: the runner gets no chance to tidy up (restart() brings it back). */
  kill(): Promise<void>;
  /** Removes everything the runner made (sandboxes included). */
  destroy(): Promise<void>;
};

const ROOT = path.resolve(import.meta.dirname, '..', '..');

export function ensureNativeBuilt() {
  execFileSync('make', ['-s', '-C', path.join(ROOT, 'runner', 'native')], { stdio: 'inherit' });
}

export async function startRunner(opts: { poolSize?: number; env?: Record<string, string>; logFile?: string } = {}): Promise<RunnerHandle> {
  ensureNativeBuilt();
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-runner-test-'));
  const dataDir = path.join(base, 'runner');
  const runDir = path.join('/run/warren-test', path.basename(base));
  const socket = path.join(base, 'runner.sock');
  const token = 'test-token-0123456789abcdef';
  let child: ChildProcess | undefined;

  const launch = async () => {
    child = spawn(process.execPath, runnerNodeArgs(), {
      cwd: ROOT,
      env: {
        ...process.env,
        WARREN_DATA_DIR: base,
        WARREN_RUNNER_RUN_DIR: runDir,
        WARREN_RUNNER_LISTEN: `unix:${socket}`,
        WARREN_RUNNER_TOKEN: token,
        WARREN_RUNNER_POOL_SIZE: String(opts.poolSize ?? 0),
        WARREN_LOG_LEVEL: process.env.WARREN_TEST_RUNNER_LOG ?? 'warn',
        ...opts.env,
      },
      stdio: opts.logFile ? ['ignore', fs.openSync(opts.logFile, 'a'), fs.openSync(opts.logFile, 'a')] : ['ignore', 'inherit', 'inherit'],
    });
    await waitForSocket(socket, 30_000, { everyMs: 100, giveUp: () => (child!.exitCode !== null ? `runner exited with ${child!.exitCode}` : undefined) });
  };
  const stop = async () => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  };

  await launch();
  const client = createRunnerClient({ url: `unix:${socket}`, token });
  return {
    client,
    dataDir,
    runDir,
    token,
    restart: async () => {
      await stop();
      await launch();
    },
    stop,
    kill: async () => {
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    },
    destroy: async () => {
      for (const sb of await client.list().catch(() => [])) await client.delete(sb.id).catch(() => {});
      for (const s of await client.snapshots.list().catch(() => [])) await client.snapshots.delete(s.id).catch(() => {});
      await stop();
      // Warm-pool members are not in the API's list: remove their containers and mounts too,
      // and never run a recursive delete over a directory that still has something mounted.
      await forceCleanup(base, runDir);
      fs.rmSync(base, { recursive: true, force: true });
      fs.rmSync(runDir, { recursive: true, force: true });
    },
  };
}

/** The runner's own record of a sandbox (its host layout), read from its data dir. */
export function readRecord(dataDir: string, id: string): { key: string; uidBase: number } {
  const dir = path.join(dataDir, 'sandboxes');
  for (const key of fs.readdirSync(dir)) {
    const file = path.join(dir, key, 'sandbox.json');
    if (!fs.existsSync(file)) continue;
    const rec = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (rec.id === id) return rec;
  }
  throw new Error(`no record for ${id}`);
}

export const sh = (script: string) => ['bash', '-c', script];

async function forceCleanup(base: string, runDir: string) {
  // runc's containers, and gVisor's (runsc keeps its own state root).
  for (const runtime of ['runc', 'runsc']) {
    const runtimeRoot = path.join(runDir, runtime);
    const ids = spawnSync(runtime, ['--root', runtimeRoot, 'list', '-q'], { encoding: 'utf8' }).stdout?.split('\n').filter(Boolean) ?? [];
    for (const id of ids) spawnSync(runtime, ['--root', runtimeRoot, 'delete', '--force', id]);
  }
  const mounts = [...(await mountsUnder(base)), ...(await mountsUnder(runDir))].sort((a, b) => b.length - a.length);
  for (const m of mounts) spawnSync('umount', ['-l', m]);
}
