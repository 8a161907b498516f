/**
 * Test-only crash points for the fault battery (tests/faults). Some crash windows — between a
 * runtime call (runc, a mount) and the record write that follows it — last microseconds, too
 * narrow for a kill from outside to hit reliably. With `WARREN_RUNNER_FAULT=<point>` the runner
 * kills itself with SIGKILL (no cleanup, exactly like `kill -9`) the first time it reaches that
 * point, e.g. `after-runtime-call:create`.
 *
 * Armed only when NODE_ENV is also `test` (scripts/up and any production start set
 * `production`, a bare start leaves it unset), so a stray variable in production does nothing;
 * an armed runner says so in its log at start-up.
 */
const armed = process.env.NODE_ENV === 'test' ? (process.env.WARREN_RUNNER_FAULT ?? '') : '';

export const armedFaultPoint = (): string => armed;

export function faultPoint(name: string): void {
  if (armed !== '' && armed === name) process.kill(process.pid, 'SIGKILL');
}
