import type { IsolationLevel } from '@/db/schema/sandboxes';
import { AppError } from '@/lib/errors';
import { gvisorRefusal } from './isolation';
import { ensureLocalRunnerRegistered, listRunners, type RunnerRow, runnerUnavailable } from './registry';

export type Need = { cpu: number; memoryMb: number; isolation?: IsolationLevel };

/**
 * Picks the runner for a new sandbox: a ready runner whose last reported capacity has room,
 * the one with the most free memory first (one that never reported, last). Capacity is only as fresh as the last heartbeat, so
 * the runner itself still refuses when full (mapped to 429). With nothing registered yet, the
 * local runner is registered on the spot from the environment. `listed`: the registry's rows
 * when the caller started reading them earlier (a create reads them alongside its other reads).
 */
export async function pickRunner(need: Need, pinned?: string, listed?: Promise<RunnerRow[]>): Promise<RunnerRow> {
  let all = await (listed ?? listRunners());
  if (all.length === 0) {
    const local = await ensureLocalRunnerRegistered();
    all = local ? [local] : [];
  }
  if (pinned) {
    // Forks and restores live where their snapshot's layer is: no choice to make.
    const r = all.find((x) => x.id === pinned);
    if (!r) throw runnerUnavailable(`The runner holding this snapshot (${pinned}) is no longer registered`);
    if (r.state === 'draining') throw new AppError('conflict', 'The runner holding this snapshot is draining; no new sandboxes go there');
    if (need.isolation === 'gvisor' && gvisorRefusal(r)) throw gvisorUnavailable([r]);
    return r;
  }
  return chooseRunner(all, need);
}

/** The pure part of placement, over a snapshot of the registry. */
export function chooseRunner(all: RunnerRow[], need: Need): RunnerRow {
  if (all.length === 0) throw runnerUnavailable();
  const usable = all.filter((r) => r.state === 'ready');
  // If every runner looks unreachable, still try one: its state may just be stale.
  const candidates = usable.length ? usable : all.filter((r) => r.state !== 'draining');
  if (candidates.length === 0) throw runnerUnavailable('Every registered runner is draining');
  // Refused here (400, nothing stored) rather than by the runner after the row exists. A runner
  // that has not said yet (no capacity reported) may still take it: the runner then decides.
  const able = need.isolation === 'gvisor' ? candidates.filter((r) => !gvisorRefusal(r)) : candidates;
  if (able.length === 0) throw gvisorUnavailable(candidates);
  const withRoom = able.filter((r) => hasRoom(r, need));
  if (withRoom.length === 0) {
    throw new AppError('runner_unavailable', 'No sandbox runner has room for a sandbox of this size right now; try again shortly or ask for less');
  }
  withRoom.sort((a, b) => freeMemory(b) - freeMemory(a));
  return withRoom[0]!;
}

function hasRoom(r: RunnerRow, need: Need): boolean {
  const c = r.capacity;
  if (!c) return true; // never reported yet: let the runner decide
  if (c.maxSandboxes > 0 && c.sandboxes >= c.maxSandboxes) return false;
  if (c.memoryMbTotal > 0 && c.memoryMbCommitted + need.memoryMb > c.memoryMbTotal * 4) return false; // idle sandboxes overcommit well
  return true;
}

/** A runner that has not reported its capacity yet ranks after every one that has: its room is a
 * guess (ranked first, a runner just registered took every create until its first report). */
function freeMemory(r: RunnerRow): number {
  const c = r.capacity;
  return c ? c.memoryMbTotal - c.memoryMbCommitted : Number.MIN_SAFE_INTEGER;
}

function gvisorUnavailable(runners: RunnerRow[]): AppError {
  const reason = runners.map(gvisorRefusal).find(Boolean);
  return new AppError('isolation_unavailable', `gVisor isolation is not available on any runner${reason ? `: ${reason}` : ''}; create with isolation container, or ask the operator to install runsc`);
}
