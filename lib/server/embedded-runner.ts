import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import type { BootHook } from './boot';
import { env } from '@/lib/env';
import { setRunnerStatus, type RunnerProblem } from '@/lib/runner-status';
import { waitForSocket } from '@/lib/net/wait-for-socket';
import { persistentSecret } from './secrets-file';

/**
 * With no WARREN_RUNNER_URL, the console starts a local runner as a child process (data
 * under $WARREN_DATA_DIR/runner, a generated token, a unix socket) and restarts it if it
 * dies. If the host cannot run sandboxes, the runner's preflight says why; the console
 * keeps serving and shows that message. Stopping the console stops the runner, never the
 * sandboxes: the next start adopts them.
 */
export const embeddedRunner: BootHook = async ({ log }) => {
  if (process.env.WARREN_RUNNER_URL) {
    setRunnerStatus({ state: 'ready', url: process.env.WARREN_RUNNER_URL });
    return undefined;
  }
  const e = env();
  const token = persistentSecret(e.dataDir, 'runner-token');
  const socket = path.join(e.dataDir, 'runner', 'runner.sock');
  const url = `unix:${socket}`;
  process.env.WARREN_RUNNER_TOKEN = token;
  setRunnerStatus({ state: 'starting' });

  let child: ChildProcess | undefined;
  let stopping = false;
  let failures = 0;
  const start = () => {
    let preflight: RunnerProblem[] | undefined;
    child = spawn(process.execPath, ['--import', 'tsx', path.join(process.cwd(), 'runner', 'main.ts')], {
      env: { ...process.env, WARREN_RUNNER_TOKEN: token, WARREN_RUNNER_LISTEN: url, WARREN_DATA_DIR: e.dataDir },
      stdio: ['ignore', 'inherit', 'pipe'],
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      const m = /WARREN_RUNNER_PREFLIGHT (.*)/.exec(text);
      if (m) preflight = JSON.parse(m[1]!) as RunnerProblem[];
      else process.stderr.write(chunk);
    });
    child.stdout?.on('data', () => {});
    child.once('exit', (code) => {
      if (stopping) return;
      if (preflight) {
        setRunnerStatus({ state: 'unavailable', problems: preflight });
        log.warn({ problems: preflight }, 'this host cannot run sandboxes; the console runs without them');
        for (const p of preflight) console.log(`  ✗ ${p.what}\n    fix: ${p.fix}`);
        return;
      }
      failures++;
      const delay = Math.min(30_000, 500 * 2 ** failures);
      setRunnerStatus({ state: 'unavailable', problems: [{ what: `The local runner exited (code ${code})`, fix: 'It is being restarted; see the log above for its error' }] });
      log.error({ code, retryInMs: delay }, 'local runner exited; restarting');
      setTimeout(start, delay).unref();
    });
  };
  start();

  // Ready when its socket answers; the console does not wait for it to serve pages.
  void waitForSocket(socket, 120_000, { everyMs: 200 }).then(
    () => true,
    () => false,
  ).then((ok) => {
    if (ok) {
      failures = 0;
      process.env.WARREN_RUNNER_URL = url;
      setRunnerStatus({ state: 'ready', url });
      log.info({ url }, 'local runner ready');
    }
  });

  return async () => {
    stopping = true;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  };
};
