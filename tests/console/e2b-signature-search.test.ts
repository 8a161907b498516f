import { afterAll, describe, expect, it } from 'vitest';
import { closeDb } from '@/db';
import { sandboxBySignature } from '@/lib/e2b/gateway/caller';

afterAll(closeDb);

/** A nameless signed file URL makes the gateway search running sandboxes × keys for its signer. */
describe('file URLs signed without a sandbox in their host name', () => {
  it('a flood of forged ones is refused with 429 once past a second’s worth of searches, and searching resumes', async () => {
    const forged = { path: '/home/user/x', username: 'user', signature: `v1_${'A'.repeat(43)}`, expiration: null };
    // Fired together, every search takes its token before any of them waits on the database, so
    // how slow the machine is cannot refill the bucket in between (sequential calls did, under load).
    const codes = await Promise.all(
      Array.from({ length: 40 }, () =>
        sandboxBySignature(forged, 'read').then(() => 'found', (err: { code: string }) => err.code),
      ),
    );
    expect(codes.slice(0, 20)).toEqual(Array(20).fill('unauthorized'));
    expect(codes.filter((c) => c === 'rate_limited').length).toBeGreaterThanOrEqual(19);
    expect(codes).not.toContain('found');
    await new Promise((r) => setTimeout(r, 1100));
    await expect(sandboxBySignature(forged, 'read')).rejects.toMatchObject({ code: 'unauthorized' });
  });
});
