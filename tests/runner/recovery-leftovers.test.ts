import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type RunnerHandle, readRecord, startRunner } from './harness';

/**
 * What a runner killed at the worst moment leaves in its dirs, and what the next start makes of
 * it. A create killed before its first record write leaves a home (and a run dir) no record
 * names: nothing would ever free them.
 */
describe('leftovers of a crash (real runner)', () => {
  let r: RunnerHandle;
  afterAll(() => r?.destroy());

  it('removes sandbox dirs that no record names, and keeps the ones that have one', async () => {
    r = await startRunner();
    const kept = await r.client.create();
    await r.stop();
    const homes = path.join(r.dataDir, 'sandboxes');
    const empty = path.join(homes, 'kleftoverempty00');
    const half = path.join(homes, 'kleftoverhalf000');
    fs.mkdirSync(empty);
    fs.mkdirSync(half);
    fs.writeFileSync(path.join(half, 'sandbox.json.tmp'), '{"id":');
    fs.writeFileSync(path.join(half, 'disk.img'), Buffer.alloc(4096));
    const run = path.join(r.runDir, 'sb', 'kleftoverhalf000');
    fs.mkdirSync(path.join(run, 'rootfs'), { recursive: true });

    await r.restart();
    expect(fs.existsSync(empty)).toBe(false);
    expect(fs.existsSync(half)).toBe(false);
    expect(fs.existsSync(run)).toBe(false);
    expect((await r.client.get(kept.id)).state).toBe('running');
    expect((await r.client.exec(kept.id, { cmd: ['true'] })).exitCode).toBe(0);
  });

  it("unmounts what a start cut short left of a stopped sandbox's rootfs", async () => {
    const sb = await r.client.create();
    await r.client.stop(sb.id);
    await r.stop();
    // A start killed right after its first mount: the agent's tmpfs, and nothing else.
    const agentDir = path.join(r.runDir, 'sb', readRecord(r.dataDir, sb.id).key, 'agent');
    fs.mkdirSync(agentDir, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'warren-run', agentDir]);
    await r.restart();
    expect(fs.readFileSync('/proc/self/mountinfo', 'utf8').includes(agentDir)).toBe(false);
    expect((await r.client.start(sb.id)).state).toBe('running');
  });
});
