import { describe, expect, it } from 'vitest';
import { keepaliveMs, withKeepalive } from './keepalive';

async function* slow(): AsyncGenerator<string> {
  yield 'start';
  await new Promise((r) => setTimeout(r, 130));
  yield 'end';
}

describe('withKeepalive', () => {
  it('interleaves keepalives while the source is quiet and keeps its order', async () => {
    const seen: string[] = [];
    for await (const v of withKeepalive(slow(), 50, () => 'ka')) seen.push(v);
    expect(seen[0]).toBe('start');
    expect(seen.at(-1)).toBe('end');
    expect(seen.filter((v) => v === 'ka').length).toBeGreaterThanOrEqual(2);
  });

  it('takes the interval the client asks for, within bounds', () => {
    expect(keepaliveMs('50')).toBe(50_000);
    expect(keepaliveMs(null)).toBe(50_000);
    expect(keepaliveMs('0')).toBe(50_000);
    expect(keepaliveMs('9999')).toBe(300_000);
  });
});
