import { afterAll, describe, expect, it } from 'vitest';
import { NotFoundError, Sandbox } from '@/sdk/src/index';
import { sandboxes, warren } from './helpers/warren';

const pool = sandboxes();
afterAll(() => pool.cleanup());
const conn = () => ({ apiUrl: warren().url, apiKey: warren().key });

describe('SDK sandbox lifecycle', () => {
  it('creates with options, connects by id or name, lists by metadata and state', async () => {
    const tag = `t${Date.now()}`;
    const sb = await pool.create({ name: `web-${tag}`, cpu: 0.5, memoryMb: 256, metadata: { suite: tag }, onTimeout: 'pause' });
    expect(sb.info).toMatchObject({ name: `web-${tag}`, state: 'running', cpu: 0.5, memoryMb: 256, onTimeout: 'pause', metadata: { suite: tag } });
    expect((await Sandbox.connect(`web-${tag}`, conn())).id).toBe(sb.id);
    expect((await Sandbox.connect(sb.id, conn())).info.name).toBe(`web-${tag}`);
    const other = await pool.create({ metadata: { suite: tag } });
    await other.stop();
    const all = await Sandbox.list({ ...conn(), metadata: { suite: tag } });
    expect(all.map((s) => s.id).sort()).toEqual([sb.id, other.id].sort());
    expect((await Sandbox.list({ ...conn(), metadata: { suite: tag }, state: 'stopped' })).map((s) => s.id)).toEqual([other.id]);
  });

  it('reads WARREN_API_URL and WARREN_API_KEY from the environment', async () => {
    const before = { url: process.env.WARREN_API_URL, key: process.env.WARREN_API_KEY };
    process.env.WARREN_API_URL = `${warren().url}/api/v1`; // with or without /api/v1
    process.env.WARREN_API_KEY = warren().key;
    try {
      const sb = pool.track(await Sandbox.create({ timeoutSec: 300 }));
      expect((await sb.commands.run('echo from-env')).stdout).toBe('from-env\n');
    } finally {
      process.env.WARREN_API_URL = before.url;
      process.env.WARREN_API_KEY = before.key;
    }
  });

  it('pause, resume, stop, start, setTimeout, metrics, usage', async () => {
    const sb = await pool.create();
    expect((await sb.pause()).state).toBe('paused');
    expect((await sb.resume()).state).toBe('running');
    const extended = await sb.setTimeout(3600);
    expect(Date.parse(extended.expiresAt!)).toBeGreaterThan(Date.now() + 3500_000);
    expect((await sb.stop()).state).toBe('stopped');
    expect((await sb.start()).state).toBe('running');
    const m = await sb.getMetrics();
    expect(m.memoryBytes).toBeGreaterThan(0);
    expect(m.pids).toBeGreaterThanOrEqual(1);
    const u = await sb.getUsage();
    expect(u).toHaveProperty('totals');
    expect((await sb.getInfo()).state).toBe('running');
  });

  it('snapshot and fork: the fork has the files, the original is untouched', async () => {
    const sb = await pool.create();
    await sb.files.write('/home/user/state.txt', 'v1');
    const snap = await sb.snapshot({ name: 'v1' });
    expect(snap).toMatchObject({ name: 'v1', sandboxId: sb.id });
    const fork = pool.track(await sb.fork());
    expect(fork.id).not.toBe(sb.id);
    expect(await fork.files.read('/home/user/state.txt')).toBe('v1');
    await fork.files.write('/home/user/state.txt', 'v2');
    expect(await sb.files.read('/home/user/state.txt')).toBe('v1');
    const fromNamed = pool.track(await sb.fork({ snapshotId: snap.id, metadata: { from: 'v1' } }));
    expect(fromNamed.info).toMatchObject({ snapshotId: snap.id, metadata: { from: 'v1' } });
  });

  it('kill deletes; the sandbox is then NotFoundError everywhere', async () => {
    const sb = await Sandbox.create({ ...conn(), timeoutSec: 300 });
    await sb.kill();
    await expect(sb.getInfo()).rejects.toBeInstanceOf(NotFoundError);
    await expect(Sandbox.connect(sb.id, conn())).rejects.toBeInstanceOf(NotFoundError);
    await expect(sb.commands.run('true')).rejects.toBeInstanceOf(NotFoundError);
  });
});
