import type { Logger } from 'pino';
import { createRunnerClient } from '@/lib/runner-client';
import { runnerStatus, setRunnerStatus } from '@/lib/runner-status';

const CHECK_TIMEOUT_MS = 3000;
const EVERY_MS_WHILE_DOWN = 1000;
const EVERY_MS_WHILE_UP = 5000;
/** A runner still starting after this long is reported as unavailable (with why). */
const STARTING_GRACE_MS = 120_000;

/**
 * Tracks a runner's readiness continuously: its health endpoint is asked every few seconds (every
 * second while it is down), and the console's runner status — the banner, /api/health, the
 * message of every 503 — follows each transition both ways: a restarted runner is `ready` again
 * within a second of answering, a runner that stops answering is `unavailable` within one check.
 * `suppress` pauses the checks while the caller knows better (its runner process is down).
 */
export function watchRunnerHealth(opts: {
  url: string;
  token: string;
  log: Logger;
  suppress?: () => boolean;
  onHealthy?: () => void;
  onUnhealthy?: () => void;
}): () => void {
  const client = createRunnerClient({ url: opts.url, token: opts.token });
  const since = Date.now();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const check = async () => {
    if (stopped) return;
    let next = EVERY_MS_WHILE_DOWN;
    if (!opts.suppress?.()) {
      const was = runnerStatus();
      try {
        await withTimeout(client.health(), CHECK_TIMEOUT_MS);
        if (stopped) return;
        if (was.state !== 'ready') opts.log.info({ url: opts.url }, 'runner ready');
        setRunnerStatus({ state: 'ready', url: opts.url });
        opts.onHealthy?.();
        next = EVERY_MS_WHILE_UP;
      } catch (err) {
        if (stopped) return;
        opts.onUnhealthy?.();
        const why = (err as Error).message;
        if (was.state === 'ready') {
          opts.log.warn({ url: opts.url, err: why }, 'runner stopped answering');
          setRunnerStatus({ state: 'unavailable', problems: [{ what: 'The runner stopped answering', fix: `Warren keeps checking; ${why}` }] });
        } else if (was.state === 'starting' && Date.now() - since > STARTING_GRACE_MS) {
          setRunnerStatus({ state: 'unavailable', problems: [{ what: 'The runner has not answered since the console started', fix: why }] });
        }
      }
    }
    timer = setTimeout(check, next);
    timer.unref();
  };
  void check();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}
