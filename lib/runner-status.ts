/**
 * What the console knows about its runner(s) right now, shared across the console process's
 * module graphs (server.ts and Next's bundles) through globalThis. Pages and /api/health read
 * it to say exactly why sandboxes are unavailable instead of failing later.
 */
export type RunnerProblem = { what: string; fix: string };
export type RunnerStatus =
  | { state: 'starting' }
  | { state: 'ready'; url: string }
  | { state: 'unavailable'; problems: RunnerProblem[] };

const KEY = Symbol.for('warren.runner-status');
const g = globalThis as unknown as { [KEY]?: RunnerStatus };

export function runnerStatus(): RunnerStatus {
  return g[KEY] ?? (process.env.WARREN_RUNNER_URL ? { state: 'ready', url: process.env.WARREN_RUNNER_URL } : { state: 'starting' });
}

export function setRunnerStatus(s: RunnerStatus): void {
  g[KEY] = s;
}
