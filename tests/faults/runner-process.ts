import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { waitForSocket } from '@/lib/net/wait-for-socket';
import { createRunnerClient, type RunnerClient } from '@/lib/runner-client';
import { mountsUnder } from '@/runner/runtime/disk';
import { ensureNativeBuilt } from '../runner/harness';
import { scanHost } from './host-scan';
import type { RunnerDirs } from './leaks';
import { runnerNodeArgs } from '@/runner/entry';

/**
 * A real runner process that the battery can kill -9 at any moment and start again on the same
 * data dir, as a crash and a supervisor's restart would. `fault` arms one of the runner's test
 * crash points (runner/sandbox/fault-point.ts) for the next start only.
 */
export type KillableRunner = RunnerDirs & {
  base: string;
  client: RunnerClient;
  token: string;
  socket: string;
  pid(): number | undefined;
  start(opts?: { fault?: string; poolSize?: number }): Promise<void>;
  /** kill -9, and wait until the process is gone (its children, runc and mounts, live on). */
  kill(): Promise<void>;
  /** Resolves when the process has exited by itself (a fault point fired). */
  exited(): Promise<void>;
  /** Deletes every sandbox and snapshot, warm-pool members too (the runner keeps running). */
  deleteEverything(): Promise<void>;
  /** SIGTERM: the graceful stop. */
  stop(): Promise<void>;
  /** Waits until the warm pool is full (throws if it does not refill) and nothing is in flight. */
  settle(): Promise<void>;
};

const ROOT = path.resolve(import.meta.dirname, '..', '..');

export async function killableRunner(opts: { poolSize: number; label: string }): Promise<KillableRunner> {
  ensureNativeBuilt();
  const base = fs.mkdtempSync(path.join(os.tmpdir(), `warren-${opts.label}-`));
  const runDir = path.join('/run/warren-test', path.basename(base));
  const socket = path.join(base, 'runner.sock');
  const token = 'fault-token-0123456789abcdef';
  let child: ChildProcess | undefined;
  let exit: Promise<void> = Promise.resolve();

  const start = async (o: { fault?: string; poolSize?: number } = {}) => {
    const c = spawn(process.execPath, runnerNodeArgs(), {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_ENV: 'test',
        WARREN_DATA_DIR: base,
        WARREN_RUNNER_RUN_DIR: runDir,
        WARREN_RUNNER_LISTEN: `unix:${socket}`,
        WARREN_RUNNER_TOKEN: token,
        WARREN_RUNNER_POOL_SIZE: String(o.poolSize ?? opts.poolSize),
        WARREN_RUNNER_FAULT: o.fault ?? '',
        WARREN_LOG_LEVEL: process.env.WARREN_TEST_RUNNER_LOG ?? 'error',
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child = c;
    exit = new Promise((r) => c.once('exit', () => r()));
    // A socket left by the killed runner must not pass for the new one's.
    fs.rmSync(socket, { force: true });
    const gone = () => (c.exitCode !== null || c.signalCode !== null ? `runner exited (${c.exitCode ?? c.signalCode})` : undefined);
    await waitForSocket(socket, 30_000, { everyMs: 20, giveUp: gone });
  };

  const kill = async () => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGKILL');
    await exit;
  };

  const client = createRunnerClient({ url: `unix:${socket}`, token });
  const dataDir = path.join(base, 'runner');
  return {
    base,
    dataDir,
    runDir,
    client,
    token,
    socket,
    pid: () => child?.pid,
    start,
    kill,
    exited: () => exit,
    deleteEverything: async () => {
      await kill();
      // Pool members are invisible to the API: a runner without a pool, with them made
      // ordinary, deletes them like any sandbox (as bench/api-cleanup does).
      const dir = path.join(dataDir, 'sandboxes');
      for (const key of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
        const file = path.join(dir, key, 'sandbox.json');
        if (!fs.existsSync(file)) continue;
        const rec = JSON.parse(fs.readFileSync(file, 'utf8'));
        if (rec.pooled) fs.writeFileSync(file, JSON.stringify({ ...rec, pooled: false }));
      }
      await start({ poolSize: 0 });
      for (const sb of await client.list()) await client.delete(sb.id);
      // A fork's snapshot stands on its parent's layer: delete the unused ones until none is left.
      for (let left = await client.snapshots.list(); left.length; left = await client.snapshots.list()) {
        const free = left.filter((s) => s.usedBy.length === 0);
        if (!free.length) throw new Error(`snapshots still in use: ${left.map((s) => `${s.id} by ${s.usedBy.join(' ')}`).join(', ')}`);
        for (const s of free) await client.snapshots.delete(s.id);
      }
    },
    settle: async () => {
      // A pool that does not refill is itself a failure (a restarted runner must come back whole).
      for (let i = 0; (await client.capacity()).poolReady < opts.poolSize; i++) {
        if (i > 600) throw new Error(`the warm pool did not refill to ${opts.poolSize} within 30 s`);
        await new Promise((r) => setTimeout(r, 50));
      }
      await runnerQuiet(child?.pid);
    },
    stop: async () => {
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await exit;
    },
  };
}

/**
 * Removes everything a battery runner made, whatever state it is in: after the final leak check
 * (then only the agent binary's tmpfs is left), or after a failure (then anything may be).
 */
export async function removeRunnerDirs(r: RunnerDirs & { base: string }): Promise<void> {
  const root = path.join(r.runDir, 'runc');
  const ids = spawnSync('runc', ['--root', root, 'list', '-q'], { encoding: 'utf8' }).stdout?.split('\n').filter(Boolean) ?? [];
  for (const id of ids) spawnSync('runc', ['--root', root, 'delete', '--force', id]);
  for (const p of scanHost(r.runDir).procs) {
    if (p.comm === 'slirp4netns' && p.cmdline.includes(`${r.runDir}/`)) spawnSync('kill', ['-9', String(p.pid)]);
  }
  const mounts = [...(await mountsUnder(r.base)), ...(await mountsUnder(r.runDir))].sort((a, b) => b.length - a.length);
  for (const m of mounts) spawnSync('umount', ['-l', m]);
  for (const l of scanHost(r.runDir).loops) if (l.file.startsWith(`${r.base}/`)) spawnSync('losetup', ['-d', l.dev]);
  fs.rmSync(r.base, { recursive: true, force: true });
  fs.rmSync(r.runDir, { recursive: true, force: true });
}

/**
 * Waits until the runner has nothing in flight: no helper (runc, mount, mkfs, a copy) running
 * under it — the slirp4netns it starts and its data-dir lock holder live as long as it does, and
 * each unclaimed pool member's host-name helper (`warren-mount hostname-later`) as long as the
 * member waits. A request whose client died (a killed console) still runs to its end on the runner.
 */
export async function runnerQuiet(pid: number | undefined, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  let quietChecks = 0;
  const waiting = (c: { comm: string; cmdline: string }) =>
    c.comm === 'slirp4netns' || c.comm === 'flock' || (c.comm === 'warren-mount' && c.cmdline.split('\0')[1] === 'hostname-later');
  while (quietChecks < 3 && Date.now() < until) {
    const busy = pid !== undefined && childrenOf(pid).some((c) => !waiting(c));
    quietChecks = busy ? 0 : quietChecks + 1;
    await new Promise((r) => setTimeout(r, 40));
  }
}

function childrenOf(pid: number): Array<{ comm: string; cmdline: string }> {
  const out: Array<{ comm: string; cmdline: string }> = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const [, comm, rest] = /^\d+ \((.*)\) (.*)$/s.exec(stat) ?? [];
      if (Number(rest?.split(' ')[1]) === pid) out.push({ comm: comm!, cmdline: fs.readFileSync(`/proc/${name}/cmdline`, 'utf8') });
    } catch {}
  }
  return out;
}
