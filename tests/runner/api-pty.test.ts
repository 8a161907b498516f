import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { MAX_LIVE_PROCESSES } from '@/runner/services/process-service';
import { type ApiFixture, startApi } from './api-fixture';

let f: ApiFixture;
beforeAll(async () => {
  f = await startApi({ ptyGraceMs: 1500 });
  await f.client.create({ id: 'pty1' });
});
afterAll(async () => {
  await f?.close();
});

/** A viewer that collects the terminal's bytes and text messages. */
async function view(sessionId: string) {
  const ws = f.client.connectPty('pty1', sessionId);
  const state = { out: '', messages: [] as unknown[], closed: false };
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (isBinary) state.out += data.toString('utf8');
    else state.messages.push(JSON.parse(data.toString('utf8')));
  });
  ws.on('close', () => {
    state.closed = true;
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const until = async (pred: () => boolean, what: string) => {
    for (let i = 0; i < 200 && !pred(); i++) await new Promise((r) => setTimeout(r, 25));
    if (!pred()) throw new Error(`timed out waiting for ${what}; screen: ${JSON.stringify(state.out.slice(-400))}`);
  };
  const type = (s: string) => ws.send(Buffer.from(s), { binary: true });
  return { ws: ws as WebSocket, state, until, type };
}

describe('runner API: terminals', () => {
  it('echoes, resizes, replays on reconnect, fans out to viewers and reports exit', async () => {
    const { sessionId } = await f.client.pty.create('pty1', { cols: 80, rows: 24, cwd: '/tmp' });
    const a = await view(sessionId);
    a.type('echo hel""lo-pty\r');
    await a.until(() => a.state.out.includes('hello-pty'), 'echo');

    a.ws.send(JSON.stringify({ type: 'resize', cols: 100, rows: 40 }));
    await new Promise((r) => setTimeout(r, 100));
    a.type('stty size\r');
    await a.until(() => a.state.out.includes('40 100'), 'stty size after ws resize');
    await f.client.pty.resize('pty1', sessionId, 120, 30);
    a.type('stty size\r');
    await a.until(() => a.state.out.includes('30 120'), 'stty size after http resize');

    // A second viewer sees the recent output replayed, then live output like the first one.
    const b = await view(sessionId);
    await b.until(() => b.state.out.includes('hello-pty'), 'replay to a second viewer');
    expect((await f.client.pty.list('pty1')).find((s) => s.sessionId === sessionId)).toMatchObject({
      viewers: 2,
      cols: 120,
      rows: 30,
      exited: false,
    });
    b.type('echo from-b\r');
    await a.until(() => a.state.out.includes('from-b'), 'fan-out to viewer a');

    // Both leave; inside the grace period the shell is still there and replays.
    a.ws.close();
    b.ws.close();
    await new Promise((r) => setTimeout(r, 300));
    const c = await view(sessionId);
    await c.until(() => c.state.out.includes('from-b'), 'replay after reconnect');

    c.type('exit 7\r');
    await c.until(() => c.state.closed, 'close after exit');
    expect(c.state.messages).toContainEqual({ type: 'exit', exitCode: 7, signal: null });
  });

  it('keeps a session nobody watches (and what it started) alive past the grace period; kills it on DELETE', async () => {
    const { sessionId } = await f.client.pty.create('pty1', { cols: 80, rows: 24, cwd: '/tmp' });
    const v0 = await view(sessionId);
    v0.type('sleep 600 & echo started-$!\r');
    await v0.until(() => /started-\d+/.test(v0.state.out), 'background job started');
    v0.ws.close();
    await new Promise((r) => setTimeout(r, 2500)); // longer than this runner's 1.5 s grace
    const listed = (await f.client.pty.list('pty1')).find((s) => s.sessionId === sessionId);
    expect(listed).toMatchObject({ exited: false, viewers: 0 });
    const back = await view(sessionId);
    back.type('jobs\r');
    await back.until(() => back.state.out.includes('sleep 600'), 'the job is still there');
    await f.client.pty.kill('pty1', sessionId);
    await back.until(() => back.state.closed, 'close after kill');

    const second = await f.client.pty.create('pty1', { cols: 80, rows: 24, cwd: '/tmp' });
    const v = await view(second.sessionId);
    await f.client.pty.kill('pty1', second.sessionId);
    await v.until(() => v.state.closed, 'close after kill');
    await expect(f.client.pty.resize('pty1', second.sessionId, 10, 10)).rejects.toMatchObject({ status: 404 });
  });

  it('refuses unknown sessions before upgrading', async () => {
    const ws = f.client.connectPty('pty1', 'pty_nope');
    const status = await new Promise<number>((resolve) => {
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => resolve(-1));
    });
    expect(status).toBe(404);
  });
});

describe('runner API: background processes', () => {
  it('starts, lists, re-attaches (replay + live) and kills', async () => {
    const p = await f.client.processes.start('pty1', {
      cmd: ['sh', '-c', 'echo started; while true; do echo tick; sleep 0.2; done'],
      cwd: '/tmp',
      tag: 'ticker',
    });
    expect(p.pid).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 500));
    const listed = (await f.client.processes.list('pty1')).find((x) => x.pid === p.pid);
    expect(listed).toMatchObject({ tag: 'ticker', running: true, cmd: p.cmd });

    let out = '';
    for await (const e of f.client.processes.output('pty1', p.pid)) {
      if (e.type === 'stdout') out += e.data;
      if (out.split('tick').length > 5) break; // leaving the loop detaches
    }
    expect(out.startsWith('started\n')).toBe(true);
    expect((await f.client.processes.list('pty1')).find((x) => x.pid === p.pid)?.running).toBe(true);

    await f.client.processes.kill('pty1', p.pid);
    const after = (await f.client.processes.list('pty1')).find((x) => x.pid === p.pid);
    expect(after).toMatchObject({ running: false, signal: 'SIGKILL' });
  });

  it('keeps the exit code of a finished process and its output', async () => {
    const p = await f.client.processes.start('pty1', { cmd: ['sh', '-c', 'echo bye; exit 5'], cwd: '/tmp' });
    await new Promise((r) => setTimeout(r, 300));
    expect((await f.client.processes.list('pty1')).find((x) => x.pid === p.pid)).toMatchObject({
      running: false,
      exitCode: 5,
    });
    const events = [];
    for await (const e of f.client.processes.output('pty1', p.pid)) events.push(e);
    expect(events).toEqual([
      { type: 'stdout', data: 'bye\n' },
      { type: 'exit', exitCode: 5, signal: null },
    ]);
  });

  it('starts and follows in one call: a start event with the pid, then the output and the exit', async () => {
    const events = [];
    for await (const e of f.client.processes.startFollow('pty1', { cmd: ['sh', '-c', 'echo one; echo two >&2; exit 3'], cwd: '/tmp', tag: 'once' }))
      events.push(e);
    const start = events[0] as { type: string; pid: number; cmd: string[]; startedAt: string };
    expect(start).toMatchObject({ type: 'start', cmd: ['sh', '-c', 'echo one; echo two >&2; exit 3'] });
    expect(start.pid).toBeGreaterThan(0);
    expect(events.slice(1).filter((e) => e.type !== 'exit').sort((a, b) => a.type.localeCompare(b.type))).toEqual([
      { type: 'stderr', data: 'two\n' },
      { type: 'stdout', data: 'one\n' },
    ]);
    expect(events.at(-1)).toEqual({ type: 'exit', exitCode: 3, signal: null });
    expect((await f.client.processes.list('pty1')).find((x) => x.pid === start.pid)).toMatchObject({ tag: 'once', running: false, exitCode: 3 });
  });

  it('leaving a start-and-follow right after the start detaches: the process runs on, listed, until killed', async () => {
    let pid = 0;
    for await (const e of f.client.processes.startFollow('pty1', { cmd: ['sh', '-c', 'while true; do echo tick; sleep 0.2; done'], cwd: '/tmp' })) {
      if (e.type === 'start') pid = e.pid;
      break;
    }
    expect(pid).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 500));
    expect((await f.client.processes.list('pty1')).find((x) => x.pid === pid)?.running).toBe(true);
    let out = '';
    for await (const e of f.client.processes.output('pty1', pid)) {
      if (e.type === 'stdout') out += e.data;
      if (out.split('tick').length > 3) break;
    }
    expect(out.startsWith('tick\n')).toBe(true); // the replay still holds what it printed unwatched
    await f.client.processes.kill('pty1', pid);
    expect((await f.client.processes.list('pty1')).find((x) => x.pid === pid)).toMatchObject({ running: false, signal: 'SIGKILL' });
  });

  it('a start-and-follow that cannot start is an error before any event (unknown sandbox, a tag past its cap)', async () => {
    const first = async (id: string, tag: string) => {
      for await (const e of f.client.processes.startFollow(id, { cmd: ['true'], cwd: '/tmp', tag })) return e;
    };
    await expect(first('nope1', 't')).rejects.toMatchObject({ status: 404 });
    await expect(first('pty1', 'x'.repeat(257))).rejects.toMatchObject({ status: 400 });
  });

  it('follows at most MAX_LIVE_PROCESSES background processes per sandbox (each costs the runner a connection and a ring)', async () => {
    await f.client.create({ id: 'many1' });
    const started = [];
    for (let i = 0; i < MAX_LIVE_PROCESSES; i++) started.push(await f.client.processes.start('many1', { cmd: ['sleep', '30'], cwd: '/tmp' }));
    const over = await f.client.processes.start('many1', { cmd: ['sleep', '30'], cwd: '/tmp' }).catch((e: { status?: number; code?: string }) => e);
    expect(over).toMatchObject({ status: 429, code: 'quota_exceeded' });
    await f.client.processes.kill('many1', started[0]!.pid);
    expect((await f.client.processes.start('many1', { cmd: ['true'], cwd: '/tmp' })).pid).toBeGreaterThan(0);
    await f.client.delete('many1');
  });
});

describe('runner API: restart', () => {
  it('keeps terminals and background processes across a runner restart', async () => {
    const { sessionId } = await f.client.pty.create('pty1', { cols: 80, rows: 24, cwd: '/tmp' });
    const a = await view(sessionId);
    a.type('echo before-restart\r');
    await a.until(() => a.state.out.includes('before-restart'), 'echo before restart');
    const p = await f.client.processes.start('pty1', { cmd: ['sleep', '60'], cwd: '/tmp', tag: 'sleeper' });
    const orphan = await f.client.pty.create('pty1', { cols: 80, rows: 24, cwd: '/tmp' });

    await f.restart();
    await a.until(() => a.state.closed, 'viewer cut by the restart');

    expect((await f.client.processes.list('pty1')).find((x) => x.pid === p.pid)).toMatchObject({
      running: true,
      tag: 'sleeper',
    });
    expect((await f.client.pty.list('pty1')).map((s) => s.sessionId)).toContain(sessionId);
    const b = await view(sessionId);
    await b.until(() => b.state.out.includes('before-restart'), 'replay from the agent after restart');
    b.type('echo after-restart\r');
    await b.until(() => b.state.out.includes('after-restart'), 'live after restart');
    // The session nobody came back to lives on past the grace period, like the one re-opened.
    await new Promise((r) => setTimeout(r, 2500));
    expect((await f.client.pty.list('pty1')).find((s) => s.sessionId === orphan.sessionId)).toMatchObject({ exited: false });
    await f.client.pty.kill('pty1', orphan.sessionId);
    await f.client.pty.kill('pty1', sessionId);
    await f.client.processes.kill('pty1', p.pid);
    expect((await f.client.processes.list('pty1')).find((x) => x.pid === p.pid)?.running).toBe(false);
  });
});
