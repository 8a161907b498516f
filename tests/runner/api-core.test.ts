import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunnerError, RunnerUnavailableError, createRunnerClient } from '@/lib/runner-client';
import { type ApiFixture, startApi } from './api-fixture';

let f: ApiFixture;
beforeAll(async () => {
  f = await startApi();
});
afterAll(async () => {
  await f?.close();
});

/** Raw request, to check what the typed client cannot send (bad auth, bad JSON). */
function raw(method: string, path: string, headers: Record<string, string>, body?: string) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = http.request({ socketPath: f.socket, method, path, headers }, (res) => {
      let text = '';
      res.on('data', (c) => {
        text += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('runner API: auth, sandboxes, validation', () => {
  it('refuses requests without the right token', async () => {
    expect((await raw('GET', '/v1/health', {})).status).toBe(401);
    const bad = await raw('GET', '/v1/sandboxes', { authorization: 'Bearer nope' });
    expect(bad.status).toBe(401);
    expect(JSON.parse(bad.body).error.code).toBe('unauthorized');
    const wrong = createRunnerClient({ url: `unix:${f.socket}`, token: 'wrong-token' });
    await expect(wrong.list()).rejects.toMatchObject({ status: 401, code: 'unauthorized' });
    expect(await f.client.health()).toMatchObject({ ok: true });
  });

  it('reports an unreachable runner as RunnerUnavailableError', async () => {
    const gone = createRunnerClient({ url: 'unix:/nonexistent/runner.sock', token: 'x' });
    await expect(gone.health()).rejects.toBeInstanceOf(RunnerUnavailableError);
    const refused = createRunnerClient({ url: 'http://127.0.0.1:1', token: 'x' });
    await expect(refused.health()).rejects.toBeInstanceOf(RunnerUnavailableError);
  });

  it('creates, lists, gets, stops, starts and deletes sandboxes', async () => {
    const sb = await f.client.create({ id: 'crud1', env: { FOO: 'bar' }, metadata: { team: 'x' } });
    expect(sb).toMatchObject({ id: 'crud1', state: 'running', env: { FOO: 'bar' } });
    expect((await f.client.list()).map((s) => s.id)).toContain('crud1');
    expect((await f.client.get('crud1')).metadata).toEqual({ team: 'x' });
    expect((await f.client.setTimeout('crud1', 120)).timeoutSec).toBe(120);
    expect((await f.client.metrics('crud1')).pids).toBe(3);
    expect((await f.client.capacity()).maxSandboxes).toBe(10);
    expect((await f.client.stop('crud1')).state).toBe('stopped');
    await expect(f.client.exec('crud1', { cmd: ['true'] })).rejects.toMatchObject({ status: 409, code: 'conflict' });
    expect((await f.client.start('crud1')).state).toBe('running');
    await f.client.delete('crud1');
    await expect(f.client.get('crud1')).rejects.toMatchObject({ status: 404, code: 'not_found' });
  });

  it('validates bodies and queries with strict schemas', async () => {
    const h = { authorization: `Bearer ${f.token}`, 'content-type': 'application/json' };
    const malformed = await raw('POST', '/v1/sandboxes', h, '{not json');
    expect(malformed.status).toBe(400);
    await expect(f.client.create({ bogus: 1 } as never)).rejects.toMatchObject({
      status: 400,
      code: 'validation_failed',
    });
    await f.client.create({ id: 'val1' });
    const cases: unknown[] = [
      { cmd: [] },
      { cmd: 'ls' },
      { cmd: ['ls'], timeoutSec: 5000 },
      { cmd: ['ls'], user: 'admin' },
      { cmd: ['ls'], extra: true },
      { cmd: ['ls'], stdin: 'a', stdinBase64: 'YQ==' },
    ];
    for (const body of cases) {
      const err = await f.client.exec('val1', body as never).catch((e) => e);
      expect(err, JSON.stringify(body)).toBeInstanceOf(RunnerError);
      expect(err.status).toBe(400);
    }
    await expect(f.client.pty.create('val1', { cols: 0, rows: 10 })).rejects.toMatchObject({ status: 400 });
    await expect(f.client.files.list('val1', '/tmp\0x')).rejects.toMatchObject({ status: 400 });
    expect((await raw('GET', '/v1/nope', h)).status).toBe(404);
  });
});

describe('runner API: exec', () => {
  beforeAll(async () => {
    await f.client.create({ id: 'ex1', env: { FROM_SANDBOX: 'sb', OVERRIDE: 'sandbox' } });
  });

  it('runs a command and returns output, exit code and duration', async () => {
    const r = await f.client.exec('ex1', { cmd: ['sh', '-c', 'echo out; echo err >&2; exit 3'], cwd: '/tmp' });
    expect(r).toMatchObject({ exitCode: 3, stdout: 'out\n', stderr: 'err\n', timedOut: false, truncated: false });
    expect(r.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('merges env (base ← sandbox ← request), runs as user by default, passes stdin', async () => {
    const r = await f.client.exec('ex1', {
      cmd: ['sh', '-c', 'echo $PATH; echo $LANG $FROM_SANDBOX $OVERRIDE; id -u; cat'],
      env: { OVERRIDE: 'request' },
      cwd: '/tmp',
      stdin: 'from-stdin',
    });
    expect(r.stdout).toBe(
      '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\nC.UTF-8 sb request\n1000\nfrom-stdin',
    );
    const root = await f.client.exec('ex1', { cmd: ['id', '-u'], user: 'root', cwd: '/' });
    expect(root.stdout.trim()).toBe('0');
    const bin = await f.client.exec('ex1', { cmd: ['od', '-An', '-tx1'], stdinBase64: 'AAH/', cwd: '/' });
    expect(bin.stdout.trim()).toBe('00 01 ff');
    expect(bin.stdoutBase64).toBeUndefined();
    const raw = await f.client.exec('ex1', { cmd: ['cat'], stdinBase64: 'AAH/', cwd: '/' });
    expect(Buffer.from(raw.stdoutBase64 ?? '', 'base64')).toEqual(Buffer.from([0, 1, 255]));
  });

  it('times out and kills', async () => {
    const r = await f.client.exec('ex1', { cmd: ['sleep', '30'], timeoutSec: 1, cwd: '/' });
    expect(r.timedOut).toBe(true);
    expect(r.signal).toBe('SIGKILL');
  });

  it('streams NDJSON events as output arrives', async () => {
    const events = [];
    for await (const e of f.client.execStream('ex1', {
      cmd: ['sh', '-c', 'echo one; sleep 0.2; echo two >&2; exit 4'],
      cwd: '/',
    })) {
      events.push(e);
    }
    expect(events[0]).toMatchObject({ type: 'start' });
    expect(
      events
        .filter((e) => e.type === 'stdout')
        .map((e) => (e as { data: string }).data)
        .join(''),
    ).toBe('one\n');
    expect(
      events
        .filter((e) => e.type === 'stderr')
        .map((e) => (e as { data: string }).data)
        .join(''),
    ).toBe('two\n');
    expect(events.at(-1)).toMatchObject({ type: 'exit', exitCode: 4, timedOut: false });
  });

  it('kills a streamed command when the client goes away', async () => {
    const marker = `/tmp/warren-stream-${process.pid}`;
    let pid = 0;
    for await (const e of f.client.execStream('ex1', {
      cmd: ['sh', '-c', `echo ready; sleep 2; touch ${marker}`],
      cwd: '/',
    })) {
      if (e.type === 'start') pid = e.pid;
      if (e.type === 'stdout') break;
    }
    expect(pid).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 2500));
    const check = await f.client.exec('ex1', { cmd: ['test', '-e', marker], cwd: '/' });
    expect(check.exitCode).toBe(1);
  });

  it('ends a stream with an error event when the sandbox goes away mid-command', async () => {
    await f.client.create({ id: 'ex2' });
    const events: string[] = [];
    for await (const e of f.client.execStream('ex2', { cmd: ['sh', '-c', 'echo up; sleep 30'], cwd: '/' })) {
      events.push(e.type);
      if (e.type === 'stdout') await f.client.stop('ex2');
    }
    expect(events).toEqual(['start', 'stdout', 'error']);
  });

  it('streams a large output with backpressure intact', async () => {
    let bytes = 0;
    for await (const e of f.client.execStream('ex1', { cmd: ['head', '-c', '30000000', '/dev/zero'], cwd: '/' })) {
      if (e.type === 'stdout') bytes += Buffer.byteLength(e.data);
    }
    expect(bytes).toBe(30_000_000);
  });
});
