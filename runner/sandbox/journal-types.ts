/**
 * Events of the runner's journal (runner/sandbox/journal.ts), as the console's meter reads them.
 * Times are the runner's own observation (ISO, ms). `cpuMs` is the sandbox's cumulative CPU time
 * from its cgroup when it was known at that moment (it restarts at 0 with each container start).
 */
export type JournalState = 'running' | 'paused' | 'stopped' | 'deleted';

export type JournalEvent =
  | {
      seq: number;
      type: 'state';
      at: string;
      sandboxId: string;
      state: JournalState;
      cpu: number;
      memoryMb: number;
      /** Bytes the sandbox's writable layer takes on the host (for stopped ones). */
      diskBytes: number;
      cpuMs: number | null;
      reason: string | null;
    }
  | { seq: number; type: 'sample'; at: string; sandboxId: string; state: JournalState; cpuMs: number | null; diskBytes: number }
  | { seq: number; type: 'snapshot'; at: string; snapshotId: string; sandboxId: string; state: 'created' | 'deleted'; sizeBytes: number };

type WithoutSeq<T> = T extends unknown ? Omit<T, 'seq'> : never;
export type JournalEventInput = WithoutSeq<JournalEvent>;

export type JournalPage = { journalId: string; events: JournalEvent[]; lastSeq: number };
