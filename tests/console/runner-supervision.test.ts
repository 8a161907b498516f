import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetEnvCache } from '@/lib/env';
import { logger } from '@/lib/logger';
import { runnerStatus } from '@/lib/runner-status';
import { embeddedRunner } from '@/lib/server/embedded-runner';
import { waitForSocket } from '@/lib/net/wait-for-socket';
import { runnerNodeArgs } from '@/runner/entry';

/**
 * The bad day, for the console's own runner (real runner processes, real runc): kill -9 of the
 * runner is noticed and healed without a lingering "unavailable"; a second runner on the same
 * data dir refuses to start; a runner whose console dies (kill -9) goes with it.
 */
const ROOT = path.resolve(import.meta.dirname, '..', '..');
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
async function until(what: string, check: () => boolean, ms = 20_000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; runner status ${JSON.stringify(runnerStatus())}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
/** The mounts a runner keeps in its run dir past its life (agent binary, secret store, the btrfs pool), then the dir. */
function removeRunDir(runDir: string) {
  for (const m of ['bin', 'secrets', 'pool']) spawnSync('umount', [path.join(runDir, m)], { stdio: 'ignore' });
  fs.rmSync(runDir, { recursive: true, force: true });
}

function runnerProcess(dataDir: string, extra: Record<string, string> = {}, stdin: 'pipe' | 'ignore' = 'ignore'): ChildProcess {
  return spawn(process.execPath, runnerNodeArgs(), {
    cwd: ROOT,
    env: {
      ...process.env,
      WARREN_DATA_DIR: dataDir,
      WARREN_RUNNER_TOKEN: 'supervision-test-token-0123456789',
      WARREN_RUNNER_POOL_SIZE: '0',
      WARREN_LOG_LEVEL: 'error',
      ...extra,
    },
    stdio: [stdin, 'pipe', 'pipe'],
  });
}
const exitOf = (c: ChildProcess) =>
  new Promise<{ code: number | null; stderr: string }>((resolve) => {
    let stderr = '';
    c.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    c.once('exit', (code) => resolve({ code, stderr }));
  });

describe('the embedded runner on a bad day', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-supervision-'));
  const saved = { ...process.env };
  let stop: (() => Promise<void>) | undefined;
  const runnerPid = () => Number(fs.readFileSync(path.join(dir, 'runner', 'runner.pid'), 'utf8'));

  beforeAll(async () => {
    delete process.env.WARREN_RUNNER_URL;
    delete process.env.WARREN_RUNNER_TOKEN;
    process.env.WARREN_DATA_DIR = dir;
    process.env.WARREN_RUNNER_POOL_SIZE = '0';
    process.env.WARREN_RUNNER_RUN_DIR = path.join('/run/warren-test', path.basename(dir));
    resetEnvCache();
    stop = await embeddedRunner({ log: logger.child({ test: 'supervision' }) });
    await until('the runner to be ready', () => runnerStatus().state === 'ready', 60_000);
  });
  afterAll(async () => {
    await stop?.();
    process.env = saved;
    resetEnvCache();
    removeRunDir(path.join('/run/warren-test', path.basename(dir)));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('kill -9 of the runner: unavailable at once, ready again when it is back', async () => {
    const first = runnerPid();
    process.kill(first, 'SIGKILL');
    await until('the console to notice', () => runnerStatus().state === 'unavailable', 5000);
    await until('the restarted runner to be ready', () => runnerStatus().state === 'ready' && runnerPid() !== first, 30_000);
    // And again: the status follows every restart, not only the first one.
    const second = runnerPid();
    process.kill(second, 'SIGKILL');
    await until('the second loss to be noticed', () => runnerStatus().state === 'unavailable', 5000);
    await until('ready after the second restart', () => runnerStatus().state === 'ready' && runnerPid() !== second, 30_000);
  });

  it('a second runner on the same data dir refuses to start, naming the first', async () => {
    const holder = runnerPid();
    const second = runnerProcess(dir, { WARREN_RUNNER_LISTEN: `unix:${path.join(dir, 'second.sock')}` });
    const { code, stderr } = await exitOf(second);
    expect(code).toBe(75);
    expect(stderr).toContain(`Another Warren runner (pid ${holder}) is already serving`);
    expect(alive(holder)).toBe(true);
    expect(runnerStatus().state).toBe('ready');
  });

  it('a runner whose console dies by kill -9 exits too, and the data dir is free again', async () => {
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-orphan-'));
    // A stand-in console: spawns its runner exactly as the real one does, then gets kill -9.
    const script = `
      const { spawn } = require('node:child_process');
      const c = spawn(process.execPath, ${JSON.stringify(runnerNodeArgs())}, {
        cwd: ${JSON.stringify(ROOT)}, stdio: ['pipe', 'ignore', 'inherit'],
        env: { ...process.env, WARREN_RUNNER_EXIT_WITH_PARENT: '1' },
      });
      setInterval(() => {}, 1000);`;
    const consoleProc = spawn(process.execPath, ['-e', script], {
      env: {
        ...process.env,
        WARREN_DATA_DIR: other,
        WARREN_RUNNER_TOKEN: 'orphan-test-token-0123456789ab',
        WARREN_RUNNER_POOL_SIZE: '0',
        WARREN_RUNNER_RUN_DIR: path.join('/run/warren-test', path.basename(other)),
        WARREN_LOG_LEVEL: 'error',
      },
      stdio: 'ignore',
    });
    const pidFile = path.join(other, 'runner', 'runner.pid');
    // In a finally: a failure must not leave the run dir's mounts and loop device behind.
    try {
      await until('the stand-in console’s runner', () => fs.existsSync(pidFile) && fs.existsSync(path.join(other, 'runner', 'runner.sock')), 30_000);
      const orphan = Number(fs.readFileSync(pidFile, 'utf8'));
      expect(alive(orphan)).toBe(true);
      consoleProc.kill('SIGKILL');
      await until('the runner to follow its console', () => !alive(orphan), 15_000);
      // Nothing holds the data dir: a new runner starts on it at once.
      const next = runnerProcess(other, {}, 'ignore');
      await until('a new runner on the freed data dir', () => fs.existsSync(pidFile) && Number(fs.readFileSync(pidFile, 'utf8')) === next.pid, 30_000);
      await waitForSocket(path.join(other, 'runner', 'runner.sock'), 30_000);
      const gone = exitOf(next);
      next.kill('SIGTERM');
      expect((await gone).code).toBe(0);
    } finally {
      removeRunDir(path.join('/run/warren-test', path.basename(other)));
      fs.rmSync(other, { recursive: true, force: true });
    }
  });
});
