import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunnerHandle, readRecord, sh, startRunner } from './harness';

/**
 * A sandbox whose agent dies (the OOM killer, or a host admin) ends with it: the agent is its
 * init. (Root inside cannot kill it: see host-exposure.) The runner must say so (stopped, with
 * the reason) instead of listing it as running while every call fails, and a start must bring it
 * back with its files.
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
    // From the host, as the OOM killer would: SIGKILL to the sandbox's init (its agent).
    const { key: k } = readRecord(r.dataDir, sb.id);
    const pid = JSON.parse(execFileSync('runc', ['--root', path.join(r.runDir, 'runc'), 'state', k], { encoding: 'utf8' })).pid as number;
    process.kill(pid, 'SIGKILL');
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
