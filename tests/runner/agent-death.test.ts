import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunnerHandle, readRecord, sh, startRunner } from './harness';

/**
 * A sandbox whose agent dies (killed by root inside it, or by the OOM killer) ends with it: tini
 * exits with its only child. The runner must say so (stopped, with the reason) instead of listing
 * it as running while every call fails, and a start must bring it back with its files.
 */
describe('a sandbox whose agent dies (real containers)', () => {
  let r: RunnerHandle;
  beforeAll(async () => {
    r = await startRunner();
  });
  afterAll(() => r?.destroy());

  it('is reported stopped within seconds, leaves no mounts, and starts again with its files', async () => {
    const sb = await r.client.create();
    await r.client.exec(sb.id, { cmd: sh('echo kept > /home/user/kept.txt') });
    await r.client.exec(sb.id, { cmd: sh('kill -9 $(pgrep -o -x warren-agent)'), user: 'root' }).catch(() => {});
    let info = await r.client.get(sb.id);
    for (let i = 0; i < 50 && info.state === 'running'; i++) {
      await new Promise((res) => setTimeout(res, 100));
      info = await r.client.get(sb.id);
    }
    expect(info).toMatchObject({ state: 'stopped', reason: 'exited' });
    const { key } = readRecord(r.dataDir, sb.id);
    expect(fs.readFileSync('/proc/self/mountinfo', 'utf8').includes(key)).toBe(false);

    expect((await r.client.start(sb.id)).state).toBe('running');
    expect((await r.client.exec(sb.id, { cmd: ['cat', '/home/user/kept.txt'] })).stdout).toBe('kept\n');
  });
});
