import { afterAll, describe, expect, it } from 'vitest';
import { type RunnerHandle, startRunner } from './harness';

/** The warm pool keeps itself full: after each create it takes from, and across restarts. */
describe('the warm pool (real containers)', () => {
  let r: RunnerHandle;
  afterAll(() => r?.destroy());

  const poolReady = async () => (await r.client.capacity()).poolReady;
  const untilPool = async (n: number) => {
    for (let i = 0; i < 200 && (await poolReady()) !== n; i++) await new Promise((res) => setTimeout(res, 50));
    return poolReady();
  };

  it('refills after every create it serves, also once a restart found it full', async () => {
    r = await startRunner({ poolSize: 1 });
    expect(await untilPool(1)).toBe(1);
    // The restarted runner adopts a full pool: nothing to start, and it must still refill later.
    await r.restart();
    for (let i = 0; i < 2; i++) {
      expect(await untilPool(1)).toBe(1);
      const sb = await r.client.create();
      // The shell's host name is the sandbox's id, not the pool slot it was started as.
      const host = await r.client.exec(sb.id, { cmd: ['hostname'] });
      expect(host.exitCode).toBe(0);
      expect(host.stdout.trim()).toBe(`sb-${sb.id.slice(0, 12)}`);
      expect(await untilPool(1), `the pool refilled after create ${i + 1}`).toBe(1);
    }
  });
});
