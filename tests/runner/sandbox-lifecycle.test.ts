import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunnerHandle, sh, startRunner } from './harness';
import { ISOLATION_LEVELS } from './levels';

/** Real sandboxes (runc, and gVisor) through the runner API: create, exec, pause, stop, start, delete. */
describe.each(ISOLATION_LEVELS)('sandbox lifecycle (real sandboxes, isolation %s)', (isolation) => {
  let r: RunnerHandle;
  beforeAll(async () => {
    r = await startRunner();
  });
  afterAll(() => r?.destroy());

  it('runs a sandbox through its whole lifecycle, keeping files across stop and start', async () => {
    const sb = await r.client.create({ isolation, resources: { cpu: 1, memoryMb: 256, diskMb: 256 }, metadata: { purpose: 'lifecycle' } });
    expect(sb.state).toBe('running');
    expect(sb.id).toMatch(/^[a-z0-9]{20}$/);

    const hello = await r.client.exec(sb.id, { cmd: sh('echo hello; echo oops >&2; whoami; pwd; exit 3') });
    expect(hello).toMatchObject({ exitCode: 3, stdout: 'hello\nuser\n/home/user\n', stderr: 'oops\n', timedOut: false });
    // Long listings and stat work at both levels (at gVisor through the statx shim, statx-shim.c).
    const listed = await r.client.exec(sb.id, { cmd: sh('printf 12345 > five; ls -l five; stat -c "%s %U" five; ls -l missing') });
    expect(listed.stdout).toMatch(/^-rw-r--r-- 1 user user 5 .* five\n5 user\n$/);
    expect(listed.stderr).toMatch(/^ls: cannot access 'missing': No such file or directory\n$/);

    await r.client.exec(sb.id, { cmd: sh('echo kept > /home/user/notes.txt') });
    expect((await r.client.pause(sb.id)).state).toBe('paused');
    await expect(r.client.exec(sb.id, { cmd: ['true'] })).rejects.toMatchObject({ status: 409 });
    expect((await r.client.resume(sb.id)).state).toBe('running');

    const stopped = await r.client.stop(sb.id);
    expect(stopped).toMatchObject({ state: 'stopped', reason: 'requested' });
    await expect(r.client.exec(sb.id, { cmd: ['true'] })).rejects.toMatchObject({ status: 409 });
    // Files of a stopped sandbox are still readable and writable.
    expect((await r.client.files.readBuffer(sb.id, '/home/user/notes.txt')).toString()).toBe('kept\n');
    await r.client.files.write(sb.id, '/home/user/while-stopped.txt', Buffer.from('offline write'));

    expect((await r.client.start(sb.id)).state).toBe('running');
    const after = await r.client.exec(sb.id, { cmd: sh('cat notes.txt while-stopped.txt; python3 -c "import os, pwd, sys; print(pwd.getpwuid(os.stat(sys.argv[1]).st_uid).pw_name)" while-stopped.txt') });
    expect(after.stdout).toBe('kept\noffline writeuser\n');

    await r.client.delete(sb.id);
    await expect(r.client.get(sb.id)).rejects.toMatchObject({ status: 404 });
  });

  it('passes stdin, env and cwd, enforces timeouts and reports missing commands', async () => {
    const sb = await r.client.create({ isolation, env: { GREETING: 'from-sandbox-env' } });
    const out = await r.client.exec(sb.id, {
      cmd: sh('read line; echo "$line|$GREETING|$EXTRA|$(pwd)"'),
      stdin: 'typed\n',
      env: { EXTRA: 'per-call' },
      cwd: '/tmp',
    });
    expect(out.stdout).toBe('typed|from-sandbox-env|per-call|/tmp\n');

    const slow = await r.client.exec(sb.id, { cmd: ['sleep', '30'], timeoutSec: 1 });
    expect(slow.timedOut).toBe(true);
    expect(slow.durationMs).toBeLessThan(5000);

    const missing = await r.client.exec(sb.id, { cmd: ['no-such-command-xyz'] });
    expect(missing.exitCode).toBe(127);
    expect(missing.stderr).toContain('no-such-command-xyz');

    const asRoot = await r.client.exec(sb.id, { cmd: ['id', '-u'], user: 'root' });
    expect(asRoot.stdout.trim()).toBe('0');
  });

  it('streams output as it is produced', async () => {
    const sb = await r.client.create({ isolation });
    const events: Array<{ type: string; at: number }> = [];
    const t0 = Date.now();
    for await (const ev of r.client.execStream(sb.id, { cmd: sh('echo one; sleep 0.5; echo two') })) {
      events.push({ type: ev.type, at: Date.now() - t0 });
    }
    const outs = events.filter((e) => e.type === 'stdout');
    expect(outs.length).toBeGreaterThanOrEqual(2);
    expect(outs[1]!.at - outs[0]!.at).toBeGreaterThan(300); // the first chunk came before the sleep ended
    expect(events.at(-1)?.type).toBe('exit');
  });

  it('stops a sandbox when its hard timeout passes, and extends it on request', async () => {
    const sb = await r.client.create({ isolation, timeoutSec: 2 });
    await r.client.setTimeout(sb.id, 4);
    await new Promise((res) => setTimeout(res, 2500));
    expect((await r.client.get(sb.id)).state).toBe('running'); // extended
    // A gVisor sandbox's stop takes a few seconds more (runsc's delete): polled, not timed.
    await expect.poll(async () => await r.client.get(sb.id), { timeout: 15_000 }).toMatchObject({ state: 'stopped', reason: 'timeout' });
  });

  it('stops an idle sandbox after its idle timeout', async () => {
    const sb = await r.client.create({ isolation, idleTimeoutSec: 2 });
    await expect.poll(async () => await r.client.get(sb.id), { timeout: 15_000 }).toMatchObject({ state: 'stopped', reason: 'idle' });
  });

  it('refuses wrong transitions with 409 and unknown sandboxes with 404', async () => {
    const sb = await r.client.create({ isolation });
    await expect(r.client.resume(sb.id)).rejects.toMatchObject({ status: 409 });
    await r.client.stop(sb.id);
    await expect(r.client.pause(sb.id)).rejects.toMatchObject({ status: 409 });
    await expect(r.client.get('nosuchsandbox000')).rejects.toMatchObject({ status: 404 });
  });

  it('reports metrics from the cgroup and capacity for placement', async () => {
    const sb = await r.client.create({ isolation, resources: { cpu: 1, memoryMb: 256, diskMb: 256 } });
    await r.client.exec(sb.id, { cmd: sh('python3 -c "sum(range(3_000_000))"; head -c 5000000 /dev/urandom > blob') });
    const m = await r.client.metrics(sb.id);
    expect(m.cpuSeconds).toBeGreaterThan(0.01);
    expect(m.memoryBytes).toBeGreaterThan(0);
    expect(m.diskBytes).toBeGreaterThan(4_000_000);
    const cap = await r.client.capacity();
    expect(cap.running).toBeGreaterThanOrEqual(1);
    expect(cap.memoryMbCommitted).toBeGreaterThanOrEqual(256);
  });
});
