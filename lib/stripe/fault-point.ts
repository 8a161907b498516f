/**
 * Test-only crash points of the Stripe reporter, like the runner's (runner/sandbox/fault-point.ts):
 * with `WARREN_STRIPE_FAULT=<point>` the process kills itself with SIGKILL (no cleanup, exactly
 * like `kill -9`) when it reaches that point, e.g. `after-meter-report`, between Stripe's answer
 * and the row that records it. Armed only when NODE_ENV is also `test`.
 */
export function stripeFaultPoint(name: string): void {
  if (process.env.NODE_ENV === 'test' && process.env.WARREN_STRIPE_FAULT === name) process.kill(process.pid, 'SIGKILL');
}
