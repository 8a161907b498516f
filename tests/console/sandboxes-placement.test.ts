import { describe, expect, it } from 'vitest';
import type { RunnerCapacity } from '@/db/schema/runners';
import { chooseRunner } from '@/lib/runners/placement';
import type { RunnerRow } from '@/lib/runners/registry';
import { decryptToken, encryptToken } from '@/lib/runners/token-crypto';

const cap = (c: Partial<RunnerCapacity>): RunnerCapacity => ({
  sandboxes: 0,
  maxSandboxes: 100,
  cpuCommitted: 0,
  cpuTotal: 8,
  memoryMbCommitted: 0,
  memoryMbTotal: 16384,
  ...c,
});
const runner = (id: string, state: RunnerRow['state'], capacity: RunnerCapacity | null): RunnerRow => ({
  id,
  name: id,
  url: `http://${id}:7000`,
  tokenCiphertext: 'x',
  journalId: null,
  journalSeq: 0,
  capacity,
  state,
  heartbeatAt: new Date(),
  createdAt: new Date(),
});
const need = { cpu: 1, memoryMb: 512 };

describe('placement', () => {
  it('picks the ready runner with the most free memory', () => {
    const picked = chooseRunner(
      [runner('a', 'ready', cap({ memoryMbCommitted: 8000 })), runner('b', 'ready', cap({ memoryMbCommitted: 1000 })), runner('c', 'unreachable', cap({}))],
      need,
    );
    expect(picked.id).toBe('b');
  });

  it('skips full and draining runners; answers 503 when none has room', () => {
    const full = runner('full', 'ready', cap({ sandboxes: 100 }));
    const draining = runner('drain', 'draining', cap({}));
    expect(chooseRunner([full, draining, runner('ok', 'ready', cap({ sandboxes: 99 }))], need).id).toBe('ok');
    expect(() => chooseRunner([full, draining], need)).toThrow(/No sandbox runner has room/);
    expect(() => chooseRunner([], need)).toThrow(/not reachable/);
  });

  it('places gVisor sandboxes only where gVisor runs (or the runner has not said); none is a 400 with the reason', () => {
    const noGvisor = (id: string) => runner(id, 'ready', cap({ memoryMbCommitted: 0, isolation: { container: { available: true }, gvisor: { available: false, reason: 'runsc not found' } } }));
    const withGvisor = runner('gv', 'ready', cap({ memoryMbCommitted: 8000, isolation: { container: { available: true }, gvisor: { available: true } } }));
    expect(chooseRunner([noGvisor('a'), withGvisor], { ...need, isolation: 'gvisor' }).id).toBe('gv');
    expect(chooseRunner([noGvisor('a'), withGvisor], { ...need, isolation: 'container' }).id).toBe('a');
    expect(chooseRunner([noGvisor('a'), runner('old', 'ready', cap({}))], { ...need, isolation: 'gvisor' }).id).toBe('old');
    expect(() => chooseRunner([noGvisor('a'), noGvisor('b')], { ...need, isolation: 'gvisor' })).toThrow(/gVisor isolation is not available on any runner: runsc not found/);
  });

  it('ranks a runner that never reported its capacity after those that did, and still uses it alone', () => {
    const known = runner('known', 'ready', cap({ memoryMbCommitted: 15000 }));
    expect(chooseRunner([runner('new', 'ready', null), known], need).id).toBe('known');
    expect(chooseRunner([known, runner('new', 'ready', null)], need).id).toBe('known');
    expect(chooseRunner([runner('new', 'ready', null)], need).id).toBe('new');
  });

  it('still tries a runner marked unreachable when it is the only one (its state may be stale)', () => {
    expect(chooseRunner([runner('only', 'unreachable', null)], need).id).toBe('only');
  });
});

describe('runner token encryption', () => {
  it('round-trips and never stores the token in clear', () => {
    const stored = encryptToken('secret-runner-token');
    expect(stored).not.toContain('secret-runner-token');
    expect(stored).not.toBe(encryptToken('secret-runner-token'));
    expect(decryptToken(stored)).toBe('secret-runner-token');
    const [v, iv, tag, ct] = stored.split('.');
    expect(() => decryptToken([v, iv, tag, `${ct}AA`].join('.'))).toThrow();
  });
});
