import { describe, expect, it } from 'vitest';
import { sharedReads } from '@/db/shared-read';

/** A read the test finishes by hand, numbered in the order reads start. */
function controlledReads() {
  let started = 0;
  const finish: Array<(v: number) => void> = [];
  const fail: Array<(e: Error) => void> = [];
  const read = () => {
    const n = ++started;
    return new Promise<number>((resolve, reject) => {
      finish[n] = () => resolve(n);
      fail[n] = reject;
    });
  };
  return { read, started: () => started, finish: (n: number) => finish[n]!(n), fail: (n: number, e: Error) => fail[n]!(e) };
}
const turn = () => new Promise((r) => setImmediate(r));

describe('sharedReads', () => {
  it('callers of the same turn share one read', async () => {
    const shared = sharedReads<number>();
    const r = controlledReads();
    const asked = [shared('k', r.read), shared('k', r.read), shared('k', r.read)];
    await turn();
    expect(r.started()).toBe(1);
    r.finish(1);
    expect(await Promise.all(asked)).toEqual([1, 1, 1]);
  });

  it('a caller never gets a read that started before it asked: it shares the next one', async () => {
    const shared = sharedReads<number>();
    const r = controlledReads();
    const first = shared('k', r.read);
    await turn();
    expect(r.started()).toBe(1);
    const later = [shared('k', r.read), shared('k', r.read)];
    await turn();
    expect(r.started()).toBe(1); // one read in flight per key: the later ones wait for it
    r.finish(1);
    expect(await first).toBe(1);
    await turn();
    expect(r.started()).toBe(2);
    r.finish(2);
    expect(await Promise.all(later)).toEqual([2, 2]);
  });

  it('different keys never share', async () => {
    const shared = sharedReads<number>();
    const r = controlledReads();
    const a = shared('org-a', r.read);
    const b = shared('org-b', r.read);
    await turn();
    expect(r.started()).toBe(2);
    r.finish(2);
    r.finish(1);
    expect(new Set([await a, await b])).toEqual(new Set([1, 2]));
  });

  it('a failed read fails its callers only, and the key reads again afterwards', async () => {
    const shared = sharedReads<number>();
    const r = controlledReads();
    const failing = [shared('k', r.read), shared('k', r.read)];
    await turn();
    const waiting = shared('k', r.read);
    r.fail(1, new Error('database gone'));
    for (const p of failing) await expect(p).rejects.toThrow('database gone');
    await turn();
    r.finish(2);
    expect(await waiting).toBe(2);
    const throwsAtOnce = shared('k', () => {
      throw new Error('bad cursor');
    });
    await expect(throwsAtOnce).rejects.toThrow('bad cursor');
    const again = shared('k', r.read);
    await turn();
    r.finish(3);
    expect(await again).toBe(3);
  });
});
