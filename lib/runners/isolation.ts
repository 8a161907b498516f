import type { RunnerRow } from './registry';

export type IsolationAvailability = { available: boolean; reason?: string };

/**
 * Why a runner cannot run gVisor sandboxes, from what it last reported (its start-up probe:
 * runner/runtime/gvisor.ts); null when it can, or has not said (an older runner, or no heartbeat
 * yet: the runner itself still refuses with isolation_unavailable).
 */
export function gvisorRefusal(r: Pick<RunnerRow, 'capacity'>): string | null {
  const g = r.capacity?.isolation?.gvisor;
  if (!g || g.available) return null;
  return g.reason ? tenantSafe(g.reason) : 'its gVisor probe failed';
}

/**
 * Tenants see this reason (the create dialog, quotas, a refused create): the first line of what
 * the runner's probe said, host paths masked and cut short. Admins read the whole of it on the
 * runner's own capacity report.
 */
function tenantSafe(reason: string): string {
  const line = reason.split('\n')[0]!.replace(/\/(?:[\w.@+-]+\/)+[\w.@+-]*/g, '<path>');
  return line.length > 160 ? `${line.slice(0, 159)}…` : line;
}

/**
 * Whether a new sandbox can get each level now, over the runners that take new sandboxes: gVisor
 * is available when one of them can run it (or has not said). For the create dialog (which shows
 * an unavailable level disabled with the reason) and GET /api/v1/quotas.
 */
export function isolationAvailability(all: Pick<RunnerRow, 'capacity' | 'state'>[]): { container: IsolationAvailability; gvisor: IsolationAvailability } {
  const open = all.filter((r) => r.state !== 'draining');
  const refusals = open.map(gvisorRefusal);
  const gvisor: IsolationAvailability =
    open.length === 0 ? { available: false, reason: 'no runner takes new sandboxes' }
    : refusals.some((x) => x === null) ? { available: true }
    : { available: false, reason: refusals[0]! };
  return { container: { available: open.length > 0, ...(open.length ? {} : { reason: 'no runner takes new sandboxes' }) }, gvisor };
}
