import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunnerHandle, startRunner } from './harness';

/**
 * Cancelling a pull on the runner: a "registry" on loopback that accepts and never answers keeps
 * skopeo waiting; a cancel by the pull's id stops it at once with `cancelled` and leaves no work
 * dir; a second pull under the same id (a console that restarted and resumed its build) takes over
 * and stops the first.
 */
describe('image pull cancel', () => {
  let r: RunnerHandle;
  let hang: net.Server;
  let ref = '';
  beforeAll(async () => {
    hang = net.createServer(() => {});
    await new Promise<void>((ok) => hang.listen(0, '127.0.0.1', ok));
    ref = `127.0.0.1:${(hang.address() as net.AddressInfo).port}/slow/app:1`;
    r = await startRunner();
  });
  afterAll(async () => {
    hang?.close();
    await r?.destroy();
  });
  const pulls = () => fs.readdirSync(path.join(r.dataDir, 'pulls'));
  const settle = <T>(p: Promise<T>) => p.then((v) => ({ ok: true as const, v }), (e: unknown) => ({ ok: false as const, e }));
  const waitFor = async (cond: () => boolean) => {
    for (let i = 0; i < 100 && !cond(); i++) await new Promise((ok) => setTimeout(ok, 100));
    expect(cond()).toBe(true);
  };

  it('a cancel stops the pull promptly and leaves nothing; an unknown id is false', async () => {
    expect(await r.client.images.cancel('nosuchpull')).toBe(false);
    const first = settle(r.client.images.pull({ reference: ref, pullId: 'build1' }));
    await waitFor(() => pulls().length === 1);
    const started = Date.now();
    expect(await r.client.images.cancel('build1')).toBe(true);
    const res = await first;
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(res.ok).toBe(false);
    expect(res.ok ? null : res.e).toMatchObject({ status: 409, code: 'cancelled' });
    expect(pulls()).toEqual([]);
  });

  it('a second pull under the same id takes over and stops the first', async () => {
    const first = settle(r.client.images.pull({ reference: ref, pullId: 'build2' }));
    await waitFor(() => pulls().length === 1);
    const second = settle(r.client.images.pull({ reference: ref, pullId: 'build2' }));
    const res1 = await first;
    expect(res1.ok ? null : res1.e).toMatchObject({ code: 'cancelled' });
    expect(await r.client.images.cancel('build2')).toBe(true);
    const res2 = await second;
    expect(res2.ok ? null : res2.e).toMatchObject({ code: 'cancelled' });
    expect(pulls()).toEqual([]);
  });
});
