import { describe, expect, it } from 'vitest';
import { OutputRing } from '@/runner/services/output-ring';

describe('OutputRing', () => {
  it('packs one-byte frames into blocks, keeps the newest bytes and the stream order', () => {
    const ring = new OutputRing(10_000);
    for (let i = 0; i < 100_000; i++) ring.push(i % 1000 < 500 ? 'stdout' : 'stderr', Buffer.from([97 + (i % 26)]));
    const chunks = ring.snapshot();
    expect(ring.length).toBe(10_000);
    expect(chunks.length).toBeLessThan(40); // ~10 KB in 4 KiB blocks per stream run, not 10,000 objects
    const all = Buffer.concat(chunks.map((c) => c.data));
    const expected = Buffer.from(Array.from({ length: 10_000 }, (_, k) => 97 + ((90_000 + k) % 26)));
    expect(all.equals(expected)).toBe(true);
    // Streams stay apart in order: 500 stdout bytes, then 500 stderr bytes, and so on.
    expect(chunks.every((c, i) => i === 0 || c.stream !== chunks[i - 1]!.stream || c.data.length > 0)).toBe(true);
    expect(ring.bytes('stdout').length + ring.bytes('stderr').length).toBe(10_000);
  });

  it('keeps only the tail of a chunk larger than the ring', () => {
    const ring = new OutputRing(4);
    ring.push('stdout', Buffer.from('abcdefgh'));
    expect(ring.bytes().toString()).toBe('efgh');
    ring.push('stdout', Buffer.from('XY'));
    expect(ring.bytes().toString()).toBe('ghXY');
  });
});
