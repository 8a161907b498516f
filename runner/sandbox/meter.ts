import { cgroupCpuSeconds } from '../runtime/cgroups';
import type { Journal } from './journal';
import type { JournalState } from './journal-types';
import { cgroupsPathFor } from './lifecycle';
import type { SandboxRecord } from './store';

/**
 * What the runner tells the console's meter, through the journal: every state change of a
 * (non-pool) sandbox as it is saved, its CPU time and disk use at intervals, and snapshots.
 *
 * A record carries `journaled`, the last state it was journaled in, and the event is appended
 * *before* the record is written: a crash in between journals a transition twice at worst
 * (the console's meter is idempotent per state), never loses one.
 */
export type MeteredRecord = SandboxRecord & {
  journaled?: string;
  /** Last time a sample saw it running or paused: the stop time of a sandbox the host lost. */
  lastSeenAt?: string;
  /** Cumulative CPU time read just before its container went away (for the stop event). */
  cpuMsAtStop?: number | null;
};

const journalState = (s: SandboxRecord['state']): JournalState | null =>
  s === 'running' || s === 'paused' || s === 'stopped' ? s : s === 'error' ? 'stopped' : null;

const signature = (r: SandboxRecord) => `${journalState(r.state)}|${r.resources.cpu}|${r.resources.memoryMb}`;

/** null when the cgroup cannot be read: a 0 would look like a restarted counter and bill it all again. */
export function cpuMsOf(key: string): number | null {
  const s = cgroupCpuSeconds(cgroupsPathFor(key));
  return s === null ? null : Math.round(s * 1000);
}

export class Meter {
  constructor(
    readonly journal: Journal,
    /** Bytes a sandbox's writable layer takes (its store's usedBytes). */
    readonly diskBytes: (rec: MeteredRecord) => number,
  ) {}

  /** Called with every record about to be saved. */
  beforeSave(rec: MeteredRecord): void {
    const state = journalState(rec.state);
    if (rec.pooled || !state) return;
    const sig = signature(rec);
    if (rec.journaled === sig) return;
    const live = state === 'running' || state === 'paused';
    this.journal.append({
      type: 'state',
      at: state === 'stopped' && rec.stoppedAt ? rec.stoppedAt : new Date().toISOString(),
      sandboxId: rec.id,
      state,
      cpu: rec.resources.cpu,
      memoryMb: rec.resources.memoryMb,
      diskBytes: this.diskBytes(rec),
      cpuMs: live ? cpuMsOf(rec.key) : (rec.cpuMsAtStop ?? null),
      reason: rec.reason,
    });
    rec.journaled = sig;
    rec.cpuMsAtStop = undefined;
  }

  /** Aligns a record's `journaled` with the journal's last state event for it, if they differ. */
  resync(rec: MeteredRecord): void {
    const last = this.journal.lastState(rec.id);
    if (!last) return;
    const sig = `${last.state === 'deleted' ? null : last.state}|${last.cpu}|${last.memoryMb}`;
    if (rec.journaled !== sig) rec.journaled = sig;
  }

  /** Called before a sandbox's record is removed for good. */
  deleted(rec: MeteredRecord): void {
    if (!rec.journaled) return; // never metered (a pool member, a failed create)
    this.journal.append({
      type: 'state',
      at: new Date().toISOString(),
      sandboxId: rec.id,
      state: 'deleted',
      cpu: rec.resources.cpu,
      memoryMb: rec.resources.memoryMb,
      diskBytes: 0,
      cpuMs: rec.cpuMsAtStop ?? null,
      reason: null,
    });
  }

  /** A sample of one sandbox: CPU time while it runs, disk use once it is stopped. */
  sample(rec: MeteredRecord): void {
    const state = journalState(rec.state);
    if (rec.pooled || !state || !rec.journaled) return;
    const live = state === 'running' || state === 'paused';
    this.journal.append({
      type: 'sample',
      at: new Date().toISOString(),
      sandboxId: rec.id,
      state,
      cpuMs: live ? cpuMsOf(rec.key) : null,
      diskBytes: this.diskBytes(rec),
    });
  }

  snapshot(snapshotId: string, sandboxId: string, state: 'created' | 'deleted', sizeBytes: number): void {
    this.journal.append({ type: 'snapshot', at: new Date().toISOString(), snapshotId, sandboxId, state, sizeBytes });
  }
}
