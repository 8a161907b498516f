import type { JournalEvent } from '@/lib/runner-client';

/** A runner journal's state event for the meter's tests: one vCPU and 1 GiB, as a runner sends it. */
export const stateEvent = (
  seq: number,
  sandboxId: string,
  state: 'running' | 'paused' | 'stopped' | 'deleted',
  at: string,
  { cpuMs = null, diskBytes = 2 ** 30 }: { cpuMs?: number | null; diskBytes?: number } = {},
): JournalEvent => ({ seq, type: 'state', at, sandboxId, state, cpu: 1, memoryMb: 1024, diskBytes, cpuMs, reason: null });
