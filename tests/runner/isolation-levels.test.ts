import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeGvisor } from '@/runner/runtime/gvisor';
import { type RunnerHandle, startRunner } from './harness';

/** A runner that cannot run gVisor says so, and refuses `gvisor` sandboxes up front. */
describe('isolation levels: availability', () => {
  let r: RunnerHandle;
  beforeAll(async () => {
    r = await startRunner({ env: { WARREN_RUNNER_GVISOR_RUNTIME: 'off' } });
  });
  afterAll(() => r?.destroy());

  it('the probe passes with runsc and names what is missing without it', async () => {
    expect((await probeGvisor('runsc')).support).toEqual({ available: true });
    const missing = await probeGvisor('no-such-runsc');
    expect(missing.support).toMatchObject({ available: false, reason: expect.stringContaining('apt-get install runsc') });
  });

  it('reports gVisor unavailable in its capacity and answers a gvisor create with a clear 400', async () => {
    const cap = await r.client.capacity();
    expect(cap.isolation.container.available).toBe(true);
    expect(cap.isolation.gvisor).toMatchObject({ available: false, reason: expect.stringContaining('switched off') });
    await expect(r.client.create({ isolation: 'gvisor' })).rejects.toMatchObject({ status: 400, code: 'isolation_unavailable' });
    expect(await r.client.list()).toEqual([]);
  });
});
