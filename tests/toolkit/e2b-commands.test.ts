import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from './helpers/warren';
import { CLIENTS, mintE2bKey, pointE2bAt, rpcOf } from './helpers/e2b';

beforeAll(async () => {
  pointE2bAt(await mintE2bKey());
});

describe.each(CLIENTS)('%s commands and PTYs against Warren', (_name, e2b) => {
  const { Sandbox, CommandExitError, TimeoutError } = e2b;
  let sbx: InstanceType<typeof Sandbox>;
  beforeAll(async () => {
    sbx = await Sandbox.create({ timeoutMs: 300_000 });
  });
  afterAll(() => sbx?.kill().catch(() => {}));

  it('runs in the foreground: login bash as user, root on request, env and cwd; a non-zero exit throws', async () => {
    const r = await sbx.commands.run('echo $GREETING; pwd; whoami; echo $HOME; echo oops >&2', {
      envs: { GREETING: 'hi' },
      cwd: '/tmp',
    });
    expect(r).toMatchObject({ exitCode: 0, stdout: 'hi\n/tmp\nuser\n/home/user\n', stderr: 'oops\n' });
    expect((await sbx.commands.run('id -u', { user: 'root' })).stdout).toBe('0\n');
    const err = await sbx.commands.run('echo partial; exit 3').catch((e) => e);
    expect(err).toBeInstanceOf(CommandExitError);
    expect(err).toMatchObject({ exitCode: 3, stdout: 'partial\n' });
  });

  it('runs in the background with onStdout and stdin, lists it, connects to it, kills it', async () => {
    const out: string[] = [];
    const h = await sbx.commands.run('while read line; do echo "got $line"; done', {
      background: true,
      stdin: true,
      onStdout: (d) => void out.push(d),
      timeoutMs: 0,
    });
    expect(h.pid).toBeGreaterThan(0);
    await sbx.commands.sendStdin(h.pid, 'a\n');
    await until('first echo', () => out.join('').includes('got a'));
    const listed = await sbx.commands.list();
    expect(listed.map((p) => p.pid)).toContain(h.pid);
    expect(listed.find((p) => p.pid === h.pid)).toMatchObject({
      cmd: '/bin/bash',
      args: ['-l', '-c', 'while read line; do echo "got $line"; done'],
    });

    await h.disconnect();
    const again: string[] = [];
    const h2 = await sbx.commands.connect(h.pid, { onStdout: (d) => void again.push(d), timeoutMs: 0 });
    await sbx.commands.sendStdin(h.pid, 'b\n');
    await until('echo after reconnecting', () => again.join('').includes('got b'));
    expect(again.join('')).toContain('got a'); // recent output is replayed on connect

    expect(await sbx.commands.kill(h.pid)).toBe(true);
    const err = await h2.wait().catch((e) => e);
    expect(err).toBeInstanceOf(CommandExitError);
    await until('gone from the list', async () => !(await sbx.commands.list()).some((p) => p.pid === h.pid));
  });

  it('closes stdin on request', async () => {
    const h = await sbx.commands.run('cat; echo done', { background: true, stdin: true });
    await sbx.commands.sendStdin(h.pid, 'piped\n');
    await sbx.commands.closeStdin(h.pid);
    const r = await h.wait();
    expect(r.stdout).toBe('piped\ndone\n');
  });

  it('kills a command past its timeout', async () => {
    const err = await sbx.commands.run('echo started; sleep 30; touch /tmp/never', { timeoutMs: 1500 }).catch((e) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    await new Promise((r) => setTimeout(r, 500));
    expect((await sbx.commands.list()).some((p) => p.args.join(' ').includes('sleep 30'))).toBe(false);
  });

  it('opens a PTY: input, resize, output, kill', async () => {
    const chunks: Buffer[] = [];
    const pty = await sbx.pty.create({
      cols: 80,
      rows: 24,
      onData: (d) => void chunks.push(Buffer.from(d)),
      timeoutMs: 0,
    });
    expect(pty.pid).toBeGreaterThan(0);
    await sbx.pty.sendInput(pty.pid, new TextEncoder().encode('echo pty-$((6*7))\n'));
    await until('pty echo', () => Buffer.concat(chunks).toString().includes('pty-42'));
    await sbx.pty.resize(pty.pid, { cols: 100, rows: 30 });
    await sbx.pty.sendInput(pty.pid, new TextEncoder().encode('stty size\n'));
    await until('new size', () => Buffer.concat(chunks).toString().includes('30 100'));
    expect(await sbx.pty.kill(pty.pid)).toBe(true);
    const end = await pty.wait().catch((e) => e);
    expect(end).toBeDefined();
  });

  // The clients' own kill() always sends SIGKILL; SendSignal with SIGTERM is what envd also takes
  // (the Python client's and other callers'), so it goes through the client's own Process RPC.
  it('delivers SIGTERM to a command, which may trap it', async () => {
    const out: string[] = [];
    const h = await sbx.commands.run('trap "echo got-term; exit 7" TERM; echo ready; while true; do sleep 0.1; done', {
      background: true,
      onStdout: (d) => void out.push(d),
      timeoutMs: 0,
    });
    await until('ready', () => out.join('').includes('ready'));
    await rpcOf(sbx.commands).sendSignal({ process: { selector: { case: 'pid', value: h.pid } }, signal: 15 });
    const err = await h.wait().catch((e) => e);
    expect(err).toBeInstanceOf(CommandExitError);
    expect(err).toMatchObject({ exitCode: 7 });
    expect(out.join('')).toContain('got-term');
  });

  it('ends an untrapped command with SIGTERM as "terminated"', async () => {
    const h = await sbx.commands.run('sleep 60', { background: true, timeoutMs: 0 });
    await rpcOf(sbx.commands).sendSignal({ process: { selector: { case: 'pid', value: h.pid } }, signal: 15 });
    const err = await h.wait().catch((e) => e);
    expect(err).toBeInstanceOf(CommandExitError);
    expect(String(err.error ?? err.message)).toContain('terminated');
  });

  it('runs the cmd a PTY request names, not the login shell', async () => {
    const chunks: Buffer[] = [];
    const started = await rpcOf(sbx.pty).start(
      {
        process: { cmd: '/bin/sh', args: ['-c', 'echo "tty=$(tty) shell=$0"; read x; echo "read $x"'], envs: {} },
        pty: { size: { cols: 80, rows: 24 } },
      },
      { timeoutMs: 30_000 },
    );
    let pid = 0;
    const done = (async () => {
      for await (const r of started) {
        const e = r.event?.event;
        if (e?.case === 'start') pid = e.value.pid;
        if (e?.case === 'data' && e.value.output.case === 'pty') chunks.push(Buffer.from(e.value.output.value));
        if (e?.case === 'end') return e.value;
      }
    })();
    await until('the program printed', () => Buffer.concat(chunks).toString().includes('shell=/bin/sh'));
    expect(Buffer.concat(chunks).toString()).toMatch(/tty=\/dev\/pts\/\d+/);
    const listed = (await sbx.commands.list()).find((p) => p.pid === pid);
    expect(listed).toMatchObject({ cmd: '/bin/sh', args: ['-c', expect.stringContaining('read x')] });
    await sbx.pty.sendInput(pid, new TextEncoder().encode('hello\n'));
    expect(await done).toMatchObject({ exited: true, exitCode: 0 });
    expect(Buffer.concat(chunks).toString()).toContain('read hello');
  });
});
