import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import type { BootHook } from './boot';
import { env } from '@/lib/env';
import { hostTemplateEnabled, platformDefaultTemplate } from '@/lib/templates/default-template';
import { setRunnerStatus, type RunnerProblem } from '@/lib/runner-status';
import { persistentSecret } from './secrets-file';
import { watchRunnerHealth } from './runner-health';
import { runnerNodeArgs } from '@/runner/entry';

/** After this long answering health checks, a restarted runner counts as healthy again. */
export const HEALTHY_RESET_MS = 60_000;
const MAX_BACKOFF_MS = 30_000;
/** Exit code of a runner whose data dir is held by another runner (runner/runtime/data-dir-lock). */
const LOCKED_EXIT_CODE = 75;

/**
 * With no WARREN_RUNNER_URL, the console starts a local runner as a child process (data under
 * $WARREN_DATA_DIR/runner, a generated token, a unix socket) and keeps it alive:
 * - the runner exits when this console dies, even by kill -9 (it watches the stdin pipe we
 *   hold), so a console never leaves an orphan runner behind;
 * - one runner per data dir is enforced by the runner's lock: if the previous one is still
 *   shutting down, this one waits and retries instead of running a second copy;
 * - a crashed runner is restarted with back-off, which resets once it has been healthy for a
 *   minute; readiness is tracked continuously (runner-health), not only at first start.
 * If the host cannot run sandboxes, the runner's preflight says why; the console keeps serving
 * and shows that message. Stopping the console stops the runner, never the sandboxes.
 */
export const embeddedRunner: BootHook = async ({ log }) => {
  if (process.env.WARREN_RUNNER_URL) {
    const stopWatch = watchRunnerHealth({ url: process.env.WARREN_RUNNER_URL, token: process.env.WARREN_RUNNER_TOKEN ?? '', log });
    return async () => stopWatch();
  }
  const e = env();
  const token = persistentSecret(e.dataDir, 'runner-token');
  const socket = path.join(e.dataDir, 'runner', 'runner.sock');
  const url = `unix:${socket}`;
  process.env.WARREN_RUNNER_TOKEN = token;
  process.env.WARREN_RUNNER_URL = url; // the address is fixed; whether it answers is the status
  setRunnerStatus({ state: 'starting' });

  let child: ChildProcess | undefined;
  let stopping = false;
  let failures = 0;
  let preflightFailed = false;
  let healthySince: number | null = null;

  const stopWatch = watchRunnerHealth({
    url,
    token,
    log,
    // While the process is down or refused the host, its exit reason is the truth, not a ping.
    suppress: () => preflightFailed || !child || child.exitCode !== null,
    onHealthy: () => {
      healthySince ??= Date.now();
      if (Date.now() - healthySince >= HEALTHY_RESET_MS) failures = 0;
    },
    onUnhealthy: () => {
      healthySince = null;
    },
  });

  const start = () => {
    if (stopping) return;
    let preflight: RunnerProblem[] | undefined;
    const c = spawn(process.execPath, runnerNodeArgs(), {
      env: { ...runnerEnv(), WARREN_RUNNER_TOKEN: token, WARREN_RUNNER_LISTEN: url, WARREN_DATA_DIR: e.dataDir, WARREN_RUNNER_EXIT_WITH_PARENT: '1' },
      // stdin is a pipe we never write: its end tells the runner that this console is gone.
      stdio: ['pipe', 'inherit', 'pipe'],
    });
    child = c;
    c.stdin?.on('error', () => {});
    c.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      const m = /^WARREN_RUNNER_PREFLIGHT (.*)$/m.exec(text);
      if (m) preflight = parseProblems(m[1]!);
      else if (!text.startsWith('WARREN_RUNNER_LOCKED')) process.stderr.write(chunk);
    });
    c.once('exit', (code) => {
      healthySince = null;
      if (stopping) return;
      if (preflight) {
        preflightFailed = true;
        setRunnerStatus({ state: 'unavailable', problems: preflight });
        log.warn({ problems: preflight }, 'this host cannot run sandboxes; the console runs without them');
        for (const p of preflight) console.log(`  ✗ ${p.what}\n    fix: ${p.fix}`);
        return;
      }
      if (code === LOCKED_EXIT_CODE) {
        // The previous runner (of a console that just died) is still on its way out.
        setRunnerStatus({ state: 'starting' });
        log.warn('the data dir is still held by a previous runner; retrying');
        setTimeout(start, 1000).unref();
        return;
      }
      failures++;
      const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** failures);
      setRunnerStatus({
        state: 'unavailable',
        problems: [{ what: `The local runner exited (code ${code})`, fix: `It restarts in ${Math.round(delay / 1000)} s; see the log above for its error` }],
      });
      log.error({ code, retryInMs: delay }, 'local runner exited; restarting');
      setTimeout(start, delay).unref();
    });
  };
  start();

  return async () => {
    stopping = true;
    stopWatch();
    const c = child;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
  };
};

/** The runner (and every helper it starts) gets only what it needs: never the console's
 * database URL, auth secret or OAuth keys. */
function runnerEnv(): NodeJS.ProcessEnv {
  const keep = /^(WARREN_|PATH$|HOME$|LANG$|LC_|TZ$|NODE_|TMPDIR$)/;
  // The vault key never reaches the runner (it gets resolved values per sandbox, never the key).
  const out = Object.fromEntries(Object.entries(process.env).filter(([k]) => keep.test(k) && k !== 'WARREN_ADMIN_PASSWORD' && k !== 'WARREN_SECRETS_KEY')) as NodeJS.ProcessEnv;
  // The warm pool holds host-template sandboxes: idle waste (and host /usr exposed for nothing)
  // unless host is what creates get by default. An explicit size is kept.
  if (out.WARREN_RUNNER_POOL_SIZE === undefined && (platformDefaultTemplate() !== 'host' || !hostTemplateEnabled())) out.WARREN_RUNNER_POOL_SIZE = '0';
  return out;
}

/** The runner's preflight line, read defensively: it is only a message to show. */
function parseProblems(json: string): RunnerProblem[] {
  try {
    const v = JSON.parse(json) as unknown;
    if (Array.isArray(v)) return v.filter((p): p is RunnerProblem => typeof p?.what === 'string' && typeof p?.fix === 'string');
  } catch {}
  return [{ what: 'The local runner refused to start on this host', fix: 'See its log above' }];
}
