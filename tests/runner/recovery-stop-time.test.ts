import { describe, expect, it } from 'vitest';
import type { MeteredRecord } from '@/runner/sandbox/meter';
import { lastSeenAlive } from '@/runner/sandbox/recovery';

/**
 * A runner that restarts and finds a sandbox's container gone dates its stop when the sandbox was
 * last seen alive, else at the restart. A sample of an earlier run (a sandbox stopped, started
 * again, and the runner killed before the new run was sampled) must not date it before this run
 * began: the fault battery saw such a stop bill the run as nothing and end its compute period
 * where it began.
 */
const rec = (lastSeenAt: string | undefined, startedAt: string | null) => ({ lastSeenAt, startedAt }) as unknown as MeteredRecord;

describe('recovery: when a sandbox was last seen alive', () => {
  it('is its last sample of this run', () => {
    expect(lastSeenAlive(rec('2026-12-04T10:00:30.000Z', '2026-12-04T10:00:00.000Z'))).toBe('2026-12-04T10:00:30.000Z');
  });
  it('is unknown when its last sample was of an earlier run, or it was never sampled', () => {
    expect(lastSeenAlive(rec('2026-12-04T09:59:00.000Z', '2026-12-04T10:00:00.000Z'))).toBeUndefined();
    expect(lastSeenAlive(rec(undefined, '2026-12-04T10:00:00.000Z'))).toBeUndefined();
  });
});
