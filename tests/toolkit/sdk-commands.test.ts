import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, type Sandbox, TimeoutError, WarrenError } from '@/sdk/src/index';
import { sandboxes, until } from './helpers/warren';

const pool = sandboxes();
let sb: Sandbox;
beforeAll(async () => {
  sb = await pool.create({ env: { GREETING: 'hi' } });
});
afterAll(() => pool.cleanup());

describe('SDK commands.run', () => {
  it('runs a shell line or an argv with cwd, env, user and stdin; a non-zero exit is a result', async () => {
    const r = await sb.commands.run('echo $GREETING $EXTRA; pwd; id -un; cat', { cwd: '/tmp', env: { EXTRA: 'there' }, stdin: 'piped' });
    expect(r).toMatchObject({ exitCode: 0, stdout: 'hi there\n/tmp\nuser\npiped', stderr: '' });
    expect((await sb.commands.run(['id', '-u'], { user: 'root' })).stdout).toBe('0\n');
    const failed = await sb.commands.run('echo oops >&2; exit 3');
    expect(failed).toMatchObject({ exitCode: 3, stderr: 'oops\n' });
  });

  it('streams output to onStdout/onStderr as it comes', async () => {
    const seen: Array<[string, string, number]> = [];
    const t0 = Date.now();
    const r = await sb.commands.run('echo one; sleep 0.5; echo two >&2; sleep 0.2; echo three', {
      onStdout: (d) => seen.push(['out', d, Date.now() - t0]),
      onStderr: (d) => seen.push(['err', d, Date.now() - t0]),
    });
    expect(r).toMatchObject({ exitCode: 0, stdout: 'one\nthree\n', stderr: 'two\n' });
    expect(seen.map(([s, d]) => `${s}:${d}`).join('')).toBe('out:one\nerr:two\nout:three\n');
    expect(seen[0]![2]).toBeLessThan(seen[1]![2] - 300); // the first line arrived before the sleep ended
  });

  it('a command past its timeout throws TimeoutError with the output so far', async () => {
    const err = await sb.commands.run('echo started; sleep 30', { timeoutMs: 1000 }).catch((e) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err.details).toMatchObject({ stdout: 'started\n', timedOut: true });
  });

  it('an AbortSignal cancels the call and kills the command', async () => {
    const ac = new AbortController();
    const running = sb.commands.run('touch /tmp/began; sleep 2; touch /tmp/finished', { signal: ac.signal, onStdout: () => {} });
    await until('command began', async () => (await sb.commands.run('test -e /tmp/began')).exitCode === 0);
    ac.abort();
    await expect(running).rejects.toMatchObject({ name: 'AbortError' });
    await new Promise((r) => setTimeout(r, 2500));
    expect((await sb.commands.run('test -e /tmp/finished')).exitCode).toBe(1);
  });
});

describe('SDK background commands', () => {
  it('returns a handle: output as it comes, stdin, wait; it outlives the handle', async () => {
    const out: string[] = [];
    const h = await sb.commands.run('while read line; do echo "got $line"; done; echo bye', { background: true, stdin: true, onStdout: (d) => out.push(d) });
    expect(h.pid).toBeGreaterThan(0);
    await h.sendStdin('a\n');
    await until('first echo', () => out.join('').includes('got a'));
    await h.sendStdin('b\n', { eof: true });
    const r = await h.wait();
    expect(r).toMatchObject({ exitCode: 0, stdout: 'got a\ngot b\nbye\n' });
    await expect(h.sendStdin('late')).rejects.toBeInstanceOf(WarrenError);
  });

  it('kill ends it; list shows it; connect re-attaches with the recent output replayed', async () => {
    const h = await sb.commands.run('echo ready; sleep 600', { background: true, tag: 'sleeper' });
    h.disconnect();
    let replayed = '';
    const again = await sb.commands.connect(h.pid, { onStdout: (d) => (replayed += d) });
    await until('replayed output', () => replayed === 'ready\n');
    const listed = (await sb.commands.list()).find((p) => p.pid === h.pid);
    expect(listed).toMatchObject({ running: true, tag: 'sleeper' });
    const result = again.wait();
    await h.kill();
    expect(await result).toMatchObject({ exitCode: null, signal: 'SIGKILL', stdout: 'ready\n' });
    expect((await sb.commands.list()).find((p) => p.pid === h.pid)?.running).toBe(false);
  });

  it('a stopped sandbox answers ConflictError', async () => {
    const other = await pool.create();
    await other.stop();
    await expect(other.commands.run('true')).rejects.toBeInstanceOf(ConflictError);
    await expect(other.commands.run('true', { background: true })).rejects.toBeInstanceOf(ConflictError);
  });
});
