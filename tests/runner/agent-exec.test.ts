import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentClient, type AgentProcess } from '@/runner/agent/client';
import { hasEnded, type ServedAgent, serveAgent, sleep, until } from '@/runner/agent/test-support';

/** The exit of a process, whether it already happened or is still to come. */
const exitOf = (p: { exit: unknown; on(e: 'exit', cb: (x: unknown) => void): unknown }) =>
  p.exit ? Promise.resolve(p.exit) : new Promise((r) => p.on('exit', r));

const env = { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: '/tmp', TERM: 'xterm' };
let agent: ServedAgent;
let client: AgentClient;

beforeAll(async () => {
  agent = await serveAgent();
  client = AgentClient.forSocket(agent.socket);
});
afterAll(async () => {
  await agent?.stop();
});

function collect(p: AgentProcess) {
  const s = { out: '', err: '' };
  p.on('stdout', (b: Buffer) => {
    s.out += b.toString();
  });
  p.on('stderr', (b: Buffer) => {
    s.err += b.toString();
  });
  return s;
}

describe('warren-agent serve: exec', () => {
  it('returns stdout, stderr and the exit code', async () => {
    const r = await client.exec({ argv: ['sh', '-c', 'echo out; echo err >&2; exit 3'], env });
    expect(r.stdout.toString()).toBe('out\n');
    expect(r.stderr.toString()).toBe('err\n');
    expect(r.exitCode).toBe(3);
    expect(r.signal).toBe(0);
    expect(r.timedOut).toBe(false);
    expect(r.truncated).toBe(false);
  });

  it('passes stdin, env and cwd exactly', async () => {
    const r = await client.exec({
      argv: ['sh', '-c', 'cat; echo "|$FOO|$(pwd)"; env | sort'],
      env: { ...env, FOO: 'a b' },
      cwd: '/usr',
      stdin: 'input',
    });
    const lines = r.stdout.toString().split('\n');
    expect(lines[0]).toBe('input|a b|/usr');
    // The environment is exactly the given list (plus what sh itself sets: PWD, SHLVL, _).
    const names = lines
      .slice(1)
      .filter(Boolean)
      .map((l) => l.split('=')[0]);
    expect(names.filter((n) => !['PWD', 'SHLVL', '_', 'OLDPWD'].includes(n)).sort()).toEqual([
      'FOO',
      'HOME',
      'PATH',
      'TERM',
    ]);
  });

  it('runs as the requested uid/gid with no supplementary groups', async () => {
    const r = await client.exec({ argv: ['sh', '-c', 'id -u; id -g; id -G'], env, uid: 1000, gid: 1001 });
    expect(r.stdout.toString()).toBe('1000\n1001\n1001\n');
    const u = await client.exec({ argv: ['id', '-u'], env, uid: 1000 });
    expect(u.stdout.toString()).toBe('1000\n');
  });

  it('reports a missing command as 127 and a bad cwd as 126', async () => {
    const r = await client.exec({ argv: ['no-such-command-xyz'], env });
    expect(r.exitCode).toBe(127);
    expect(r.stderr.toString()).toBe('warren: no-such-command-xyz: command not found\n');
    const c = await client.exec({ argv: ['true'], env, cwd: '/nonexistent' });
    expect(c.exitCode).toBe(126);
    expect(c.stderr.toString()).toContain('/nonexistent');
    const file = `${agent.dir}/not-executable`;
    fs.writeFileSync(file, 'data', { mode: 0o644 });
    const x = await client.exec({ argv: [file], env });
    expect(x.exitCode).toBe(126);
    expect(x.stderr.toString()).toContain('Permission denied');
  });

  it('kills the process group on timeout and says so', async () => {
    const t0 = Date.now();
    const r = await client.exec({ argv: ['sh', '-c', 'sleep 30 & sleep 30; echo never'], env, timeoutMs: 300 });
    expect(r.timedOut).toBe(true);
    expect(r.exitCode).toBe(-1);
    expect(r.signal).toBe(9);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('reports a death by signal', async () => {
    const r = await client.exec({ argv: ['sh', '-c', 'kill -TERM $$'], env });
    expect(r).toMatchObject({ exitCode: -1, signal: 15 });
  });

  it('keeps the output bounded under a flood and flags truncation', async () => {
    const r = await client.exec({
      argv: ['sh', '-c', 'yes | head -c 50000000; echo done >&2'],
      env,
      maxOutputBytes: 1 << 20,
    });
    expect(r.exitCode).toBe(0);
    expect(r.stdout.length).toBe(1 << 20);
    expect(r.truncated).toBe(true);
    expect(r.stderr.toString()).toBe('done\n');
  });

  it('does not wait for a background job holding stdout open', async () => {
    const r = await client.exec({ argv: ['sh', '-c', 'sleep 5 & echo started'], env });
    expect(r.stdout.toString()).toBe('started\n');
    expect(r.durationMs).toBeLessThan(2000);
  });

  it('handles many concurrent execs', async () => {
    const rs = await Promise.all(Array.from({ length: 30 }, (_, i) => client.exec({ argv: ['echo', String(i)], env })));
    expect(rs.map((r) => r.stdout.toString().trim())).toEqual(Array.from({ length: 30 }, (_, i) => String(i)));
  });

  it('aborts through an AbortSignal', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('stop')), 100);
    await expect(client.exec({ argv: ['sleep', '30'], env, signal: ac.signal })).rejects.toThrow('stop');
  });

  // Speed lives in bench/runner-exec.ts (figures, not a timed test); this checks that many round
  // trips in a row keep answering: no slot, descriptor or process is left behind by one.
  it('answers 200 exec round trips in a row, each with its own exit code', async () => {
    for (let i = 0; i < 200; i++) {
      const r = await client.exec({ argv: ['sh', '-c', `exit ${i % 7}`], env });
      expect(r.exitCode).toBe(i % 7);
    }
  });
});

describe('warren-agent serve: streaming', () => {
  it('streams output in order, then exit', async () => {
    const p = await client.spawn({
      argv: ['sh', '-c', 'for i in 1 2 3; do echo $i; sleep 0.05; done; echo e >&2; exit 4'],
      env,
    });
    expect(p.pid).toBeGreaterThan(1);
    const events: string[] = [];
    p.on('stdout', (b: Buffer) => events.push(`out:${b.toString().trim()}`));
    p.on('stderr', (b: Buffer) => events.push(`err:${b.toString().trim()}`));
    const exit = await exitOf(p);
    expect(exit).toEqual({ exitCode: 4, signal: 0 });
    expect(events).toEqual(['out:1', 'out:2', 'out:3', 'err:e']);
  });

  it('interactive stdin and end()', async () => {
    const p = await client.spawn({ argv: ['sh', '-c', 'while read l; do echo "got $l"; done; echo bye'], env });
    const s = collect(p);
    const exited = exitOf(p); // listen first: the exit may follow end() at once
    p.write('a\n');
    await until(() => s.out.includes('got a'));
    p.write('b\n');
    p.end();
    await exited;
    expect(s.out).toBe('got a\ngot b\nbye\n');
  });

  it('kill() signals the whole process group', async () => {
    const p = await client.spawn({ argv: ['sh', '-c', 'sleep 30 & sleep 30 & wait'], env });
    await sleep(100);
    p.kill('SIGTERM');
    const exit = await exitOf(p);
    expect(exit).toEqual({ exitCode: -1, signal: 15 });
  });

  it('backpressure: a paused consumer blocks the producer instead of growing the agent', async () => {
    const p = await client.spawn({ argv: ['sh', '-c', 'yes | head -c 200000000'], env });
    let got = 0;
    p.on('stdout', (b: Buffer) => {
      got += b.length;
    });
    await until(() => got > 0);
    p.pause();
    await sleep(300);
    const at = got;
    await sleep(300);
    // Paused: nothing more is delivered, and the agent's handler stays small (bounded queue).
    expect(got - at).toBeLessThan(4 << 20);
    const handler = fs
      .readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .find((d) => {
        try {
          return fs.readFileSync(`/proc/${d}/stat`, 'utf8').split(' ')[3] === String(agent.proc.pid);
        } catch {
          return false;
        }
      });
    expect(handler).toBeDefined();
    const rss = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${handler}/status`, 'utf8'))?.[1]);
    expect(rss).toBeLessThan(16 * 1024); // KiB
    p.resume();
    await exitOf(p);
    expect(got).toBe(200000000);
  });

  it('a dropped connection kills a non-detached process', async () => {
    const p = await client.spawn({ argv: ['sleep', '60'], env });
    await sleep(100);
    const pid = p.pid;
    expect(fs.existsSync(`/proc/${pid}`)).toBe(true);
    p.detach();
    await until(() => !fs.existsSync(`/proc/${pid}`), 3000, 'the process to be killed');
  });
});

describe('warren-agent serve: pty', () => {
  it('round trip, resize and exit', async () => {
    const p = await client.spawn({ argv: ['bash', '--norc', '--noprofile', '-i'], env, pty: { cols: 80, rows: 24 } });
    const s = collect(p);
    p.write('echo h""i\n');
    await until(() => /\bhi\r\n/.test(s.out), 5000, 'hi');
    p.write('stty size\n');
    await until(() => s.out.includes('24 80'), 5000, 'initial size');
    p.resize(120, 40);
    p.write('stty size; tty\n');
    await until(() => s.out.includes('40 120') && /\/dev\/pts\/\d+/.test(s.out), 5000, 'new size and tty');
    expect(s.err).toBe('');
    const exit = exitOf(p);
    p.write('exit 5\n');
    expect(await exit).toEqual({ exitCode: 5, signal: 0 });
  });

  it('the terminal belongs to the requested user', async () => {
    const r = await client.spawn({
      argv: ['sh', '-c', 'stat -c "%u %a" $(tty)'],
      env,
      uid: 1000,
      gid: 1000,
      pty: { cols: 80, rows: 24 },
    });
    const s = collect(r);
    await new Promise((res) => r.on('exit', res));
    expect(s.out.trim()).toBe('1000 620');
  });

  it('end() sends ^D', async () => {
    const p = await client.spawn({ argv: ['cat'], env, pty: { cols: 80, rows: 24 } });
    const exit = exitOf(p);
    p.write('x\n');
    p.end();
    expect(await exit).toEqual({ exitCode: 0, signal: 0 });
  });
});

describe('warren-agent serve: detached processes', () => {
  it('still detaches after procs/ was removed (root inside may remove anything)', async () => {
    fs.rmSync(`${agent.dir}/procs`, { recursive: true, force: true });
    const p = await client.spawn({ argv: ['sh', '-c', 'echo back; sleep 5'], env, detach: true });
    p.detach();
    expect(await client.detachedPids()).toContain(p.pid);
    const a = await client.attach(p.pid);
    const s = collect(a);
    await until(() => s.out === 'back\n', 3000, 'replay after re-attach');
    a.kill('SIGKILL');
  });

  it('detach, re-attach with replay (stdout/stderr kept apart), input, exit', async () => {
    const p = await client.spawn({
      argv: ['sh', '-c', 'echo first; echo oops >&2; read x; echo "got $x"; exit 7'],
      env,
      detach: true,
    });
    const s1 = collect(p);
    await until(() => s1.out === 'first\n' && s1.err === 'oops\n');
    const sock = `${agent.dir}/procs/${p.pid}.sock`;
    expect(fs.statSync(sock).mode & 0o777).toBe(0o600);
    p.detach();
    await sleep(100);
    expect(fs.existsSync(`/proc/${p.pid}`)).toBe(true); // still running without a client

    const a = await client.attach(p.pid);
    expect(a.pid).toBe(p.pid);
    const s2 = collect(a);
    await until(() => s2.out === 'first\n' && s2.err === 'oops\n', 3000, 'replay');
    const exit = new Promise((r) => a.on('exit', r));
    a.write('there\n');
    expect(await exit).toEqual({ exitCode: 7, signal: 0 });
    expect(s2.out).toBe('first\ngot there\n');
    await until(() => !fs.existsSync(sock), 3000, 'the proc socket to go');
  });

  it('a new attach replaces the previous client; output produced while detached is kept', async () => {
    const p = await client.spawn({
      argv: ['sh', '-c', 'i=0; while [ $i -lt 20 ]; do echo line$i; i=$((i+1)); sleep 0.02; done; read x'],
      env,
      detach: true,
    });
    p.detach();
    await sleep(600);
    const a = await client.attach(p.pid);
    const s = collect(a);
    const closed = new Promise((r) => a.on('close', r));
    await until(() => s.out.includes('line19'), 3000, 'replay');
    const b = await client.attach(p.pid);
    const sb = collect(b); // at once: the replay is delivered right after attach resolves
    await closed; // the first client was dropped
    await until(() => sb.out.includes('line0\n') && sb.out.includes('line19'), 3000, 'second replay');
    const exit = new Promise((r) => b.on('exit', r));
    b.write('\n');
    expect(await exit).toEqual({ exitCode: 0, signal: 0 });
  });

  it('keeps the exit status for a late attach and bounds the ring', async () => {
    const p = await client.spawn({
      argv: ['sh', '-c', 'head -c 100000 /dev/zero | tr "\\0" a; echo; echo tail'],
      env,
      detach: true,
      ringBytes: 8192,
    });
    p.detach();
    const sock = `${agent.dir}/procs/${p.pid}.sock`;
    await until(() => hasEnded(p.pid), 3000, 'the process to end');
    await sleep(100);
    expect(fs.existsSync(sock)).toBe(true);
    const a = await client.attach(p.pid);
    const s = collect(a);
    expect(await new Promise((r) => a.on('exit', r))).toEqual({ exitCode: 0, signal: 0 });
    expect(s.out.endsWith('\ntail\n')).toBe(true);
    expect(s.out.length).toBeLessThanOrEqual(8192);
    await until(() => !fs.existsSync(sock), 3000, 'the proc socket to go');
  });

  it('refuses garbage on a proc socket without disturbing the process', async () => {
    const p = await client.spawn({ argv: ['sh', '-c', 'read x; echo "x=$x"'], env, detach: true });
    const s = collect(p);
    const sock = `${agent.dir}/procs/${p.pid}.sock`;
    const { createConnection } = await import('node:net');
    const bad = createConnection(sock);
    bad.write(Buffer.from([0x01, 0xff, 0xff, 0xff, 0xff]));
    await new Promise((r) => bad.on('close', r));
    p.write('ok\n');
    await exitOf(p);
    expect(s.out).toBe('x=ok\n');
  });
});

describe('warren-agent serve: robustness', () => {
  it('survives malformed requests', async () => {
    const { createConnection } = await import('node:net');
    const send = (bytes: Buffer) =>
      new Promise<Buffer>((resolve) => {
        const c = createConnection(agent.socket);
        const chunks: Buffer[] = [];
        c.on('data', (d) => chunks.push(d));
        c.on('close', () => resolve(Buffer.concat(chunks)));
        c.on('error', () => {});
        c.end(bytes);
      });
    await send(Buffer.from([0x01, 0x7f, 0, 0, 0])); // oversized length
    await send(Buffer.from([0x01, 0, 0, 0, 3, 1, 0, 0])); // truncated TLV
    const noArgv = await send(Buffer.from([0x01, 0, 0, 0, 0]));
    expect(noArgv[0]).toBe(0x3e);
    expect(noArgv.readUInt32BE(5)).toBe(22); // EINVAL
    const unknown = await send(Buffer.from([0x7a, 0, 0, 0, 0]));
    expect(unknown[0]).toBe(0x3e);
    const r = await client.exec({ argv: ['echo', 'still alive'], env });
    expect(r.stdout.toString()).toBe('still alive\n');
  });

  it('leaves no zombies behind', async () => {
    await Promise.all(Array.from({ length: 10 }, () => client.exec({ argv: ['true'], env })));
    await sleep(200);
    const zombies = fs
      .readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .filter((d) => {
        try {
          const st = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
          const fields = st.slice(st.lastIndexOf(')') + 2).split(' ');
          return fields[0] === 'Z' && fields[1] === String(agent.proc.pid);
        } catch {
          return false;
        }
      });
    expect(zombies).toEqual([]);
  });
});

describe('warren-agent serve: stuck stdin', () => {
  it('a client that vanishes while stdin is backed up still takes its command down', async () => {
    const { createConnection } = await import('node:net');
    const { encodeFrame, encodeTlvs, Frame } = await import('@/runner/agent/protocol');
    const c = createConnection(agent.socket);
    c.on('error', () => {});
    let pid = 0;
    c.on('data', (d: Buffer) => {
      if (!pid && d[0] === Frame.STARTED) pid = d.readUInt32BE(5);
    });
    c.write(
      encodeFrame(
        Frame.SPAWN,
        encodeTlvs([
          [1, 'sleep'],
          [1, '60'],
        ]),
      ),
    );
    for (let i = 0; i < 6; i++) c.write(encodeFrame(Frame.STDIN, Buffer.alloc(1 << 20))); // never read
    await until(() => pid > 0, 3000, 'STARTED');
    await sleep(200);
    c.destroy();
    await until(() => !fs.existsSync(`/proc/${pid}`), 3000, 'the command to be killed');
  });
});
