import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunnerHandle, readRecord, startRunner } from './harness';

/**
 * An operation that waited for a sandbox's lock behind its delete must find it gone, not act
 * on what is left of it: a start queued behind a delete would boot a sandbox nobody can see
 * any more (mounts, a container and a loop device that nothing would ever remove).
 */
describe('operations queued behind a delete (real containers)', () => {
  let r: RunnerHandle;
  beforeAll(async () => {
    r = await startRunner();
  });
  afterAll(() => r?.destroy());

  it('a start, stop or pause that waited for a delete answers 404 and leaves nothing', async () => {
    for (const [prepare, action] of [
      ['stop', 'start'],
      [null, 'stop'],
      [null, 'pause'],
    ] as const) {
      const sb = await r.client.create();
      if (prepare) await r.client[prepare](sb.id);
      const { key } = readRecord(r.dataDir, sb.id);
      const [deleted, acted] = await Promise.allSettled([r.client.delete(sb.id), r.client[action](sb.id)]);
      expect(deleted.status).toBe('fulfilled');
      expect(acted, `${action} behind a delete`).toMatchObject({ status: 'rejected', reason: { status: 404 } });
      expect(await r.client.list()).toEqual([]);
      expect(fs.readFileSync('/proc/self/mountinfo', 'utf8').includes(key), `mounts of ${key} after ${action}`).toBe(false);
      expect(fs.existsSync(`/sys/fs/cgroup/pids/warren/${key}`)).toBe(false);
    }
  });
});
