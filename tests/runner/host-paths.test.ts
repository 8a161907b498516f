import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunnerHandle, readRecord, sh, startRunner } from './harness';

/**
 * The host side never resolves a path a sandbox can write. Sandbox A (hostile, root inside)
 * booby-traps everything under its /run/warren with symlinks to sandbox B's sockets (through
 * /proc/<host pid>/root) and to a socket on the host, then asks the runner to act on A: every
 * answer must come from A, B must be untouched, and the host socket must never be dialled.
 */
describe('the runner never follows a path a sandbox controls (real containers)', () => {
  let r: RunnerHandle;
  const A = 'hostilea';
  const B = 'victimbb';
  const hostSock = path.join(os.tmpdir(), `warren-host-${process.pid}.sock`);
  let hostDials = 0;
  let hostServer: net.Server;
  let bPid: number;

  const exec = (id: string, script: string, user: 'root' | 'user' = 'root') => r.client.exec(id, { cmd: sh(script), user, timeoutSec: 30 });
  const initPid = (id: string) => {
    const { key } = readRecord(r.dataDir, id);
    return JSON.parse(execFileSync('runc', ['--root', path.join(r.runDir, 'runc'), 'state', key], { encoding: 'utf8' })).pid as number;
  };

  /** Inside A: every socket under its /run/warren becomes a symlink, and so do the names an
   * older runner used to dial (agent.sock, egress.sock, ctl). */
  const boobyTrap = (target: (name: string) => string) =>
    exec(
      A,
      `cd /run/warren && for f in $(find . -mindepth 1 -maxdepth 2 -type s); do
         mv "$f" "$f.real"; ln -sfn "${target('$f')}" "$f"; done
       for n in agent.sock egress.sock ctl; do [ -e "$n" ] || ln -sfn "${target('$n')}" "$n"; done`,
    );

  /** Puts A's real sockets back, so each test starts from a working sandbox. */
  const untrap = () =>
    exec(
      A,
      `cd /run/warren && for f in $(find . -mindepth 1 -maxdepth 2 \\( -name '*.real' -o -name '*.x' \\)); do t="\${f%.*}"; rm -rf "$t"; mv -T "$f" "$t"; done; rm -f agent.sock egress.sock ctl`,
    );

  beforeAll(async () => {
    hostServer = net.createServer((c) => {
      hostDials++;
      c.destroy();
    });
    await new Promise<void>((res) => hostServer.listen(hostSock, res));
    r = await startRunner();
    await r.client.create({ id: A, resources: { cpu: 1, memoryMb: 256, diskMb: 128 } });
    await r.client.create({ id: B, resources: { cpu: 1, memoryMb: 256, diskMb: 128 } });
    await exec(B, 'echo i-am-B > /tmp/who; echo i-am-B > /home/user/who');
    await exec(A, 'echo i-am-A > /tmp/who; echo i-am-A > /home/user/who');
    bPid = initPid(B);
  });
  afterAll(async () => {
    await r?.destroy();
    hostServer?.close();
    fs.rmSync(hostSock, { force: true });
  });

  it("exec, files and terminals of A stay in A when A links its sockets to B's", async () => {
    // B runs a background process too, so there is a procs/<pid>.sock of B's to aim at.
    await r.client.processes.start(B, { cmd: sh('while sleep 0.2; do echo B-secret-output; done'), user: 'root' });
    await boobyTrap((name) => `/proc/${bPid}/root/run/warren/${name}`);

    const who = await exec(A, 'cat /tmp/who');
    expect(who.stdout).toBe('i-am-A\n');
    const file = await r.client.files.read(A, '/home/user/who');
    let text = '';
    for await (const c of file) text += c.toString();
    expect(text).toBe('i-am-A\n');
    await r.client.files.write(A, '/tmp/written-by-runner', Buffer.from('x'));
    expect((await exec(B, 'ls /tmp')).stdout).not.toContain('written-by-runner');
    expect((await exec(A, 'ls /tmp')).stdout).toContain('written-by-runner');

    // A terminal opened on A is a shell in A.
    const { sessionId } = await r.client.pty.create(A, { cols: 80, rows: 24 });
    const ws = r.client.connectPty(A, sessionId);
    let screen = '';
    ws.on('message', (d: Buffer, bin: boolean) => {
      if (bin) screen += d.toString();
    });
    await new Promise<void>((res, rej) => {
      ws.once('open', () => res());
      ws.once('error', rej);
    });
    ws.send(Buffer.from('cat /tmp/who\r'), { binary: true });
    for (let i = 0; i < 100 && !/i-am-[AB]/.test(screen); i++) await new Promise((res) => setTimeout(res, 50));
    ws.close();
    expect(screen).toContain('i-am-A');
    expect(screen).not.toContain('i-am-B');
  });

  it("after a runner restart, a sandbox's process list and output are its own, never B's", async () => {
    const C = 'hostilec'; // a fresh hostile sandbox: A's earlier traps play no part here
    await r.client.create({ id: C, resources: { cpu: 1, memoryMb: 256, diskMb: 128 } });
    const pc = await r.client.processes.start(C, { cmd: sh('while sleep 0.2; do echo C-output; done'), user: 'root' });
    const bProc = await r.client.processes.start(B, { cmd: sh('while sleep 0.2; do echo B-secret-output; done'), user: 'root' });
    await r.restart();
    // C re-plants its traps after the restart, aiming its process socket at B's.
    await exec(C, `cd /run/warren/procs && for f in *.sock; do mv "$f" "$f.real"; ln -s /proc/${bPid}/root/run/warren/procs/${bProc.pid}.sock "$f"; done`);
    const listed = await r.client.processes.list(C);
    expect(listed.map((p) => p.pid)).toContain(pc.pid);
    const out: string[] = [];
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 1500);
    try {
      for await (const ev of r.client.processes.output(C, pc.pid, { signal: ac.signal })) {
        if (ev.type === 'stdout' || ev.type === 'stderr') out.push(ev.data);
      }
    } catch {}
    expect(out.join('')).not.toContain('B-secret-output');
    await r.client.delete(C);
  });

  it('never dials a host socket a sandbox points at, and never lists a host directory', async () => {
    await untrap();
    await boobyTrap(() => hostSock);
    // A host dir holding a "<pid>.sock" socket: if the runner listed A's procs dir through a
    // planted symlink, pid 4242 would show up in A's process list and its socket would be dialled.
    const hostDir = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-hostdir-'));
    const bait = net.createServer((c) => {
      hostDials++;
      c.destroy();
    });
    await new Promise<void>((res) => bait.listen(path.join(hostDir, '4242.sock'), res));
    await exec(A, `cd /run/warren && mv procs procs.real && ln -s ${hostDir} procs`);
    const before = hostDials;
    try {
      const res = await exec(A, 'echo still-A');
      expect(res.stdout).toBe('still-A\n');
      const listed = await r.client.processes.list(A);
      expect(listed.map((p) => p.pid)).not.toContain(4242);
      await r.client.pty.create(A, { cols: 80, rows: 24 }).catch(() => null);
      await r.client.processes.output(A, 4242).next().catch(() => null);
      await r.client.files.list(A, '/tmp');
      expect(hostDials).toBe(before);
    } finally {
      await exec(A, 'cd /run/warren && rm procs && mv procs.real procs');
      bait.close();
      fs.rmSync(hostDir, { recursive: true, force: true });
    }
  });

  it('a sandbox swapping its sockets in a tight loop never redirects the runner', async () => {
    await untrap();
    await exec(A, 'echo i-am-A > /tmp/who');
    const loop = await r.client.processes.start(A, {
      cmd: sh(`cd /run/warren; while :; do for f in $(ls -A); do mv -T "$f" "$f.x" 2>/dev/null; ln -sfn /proc/${bPid}/root/run/warren/$f "$f" 2>/dev/null; rm -f "$f"; mv -T "$f.x" "$f" 2>/dev/null; done; done`),
      user: 'root',
    });
    for (let i = 0; i < 40; i++) {
      const out = await exec(A, 'cat /tmp/who').catch(() => null);
      if (out) expect(out.stdout).toBe('i-am-A\n');
    }
    await r.client.processes.kill(A, loop.pid);
    expect((await exec(B, 'cat /tmp/who')).stdout).toBe('i-am-B\n');
  });

  it('property: every runner operation on a booby-trapped sandbox touches that sandbox only', async () => {
    await untrap();
    const fingerprint = async () => {
      // Distinct command lines: a shell loop forks a copy of itself for each `sleep` for a moment,
      // and a `sleep` that just ended shows as `[sleep]` until the loop reaps it.
      const inside = await exec(B, 'ls -la --time-style=+%s /tmp /home/user /run/warren/procs; cat /tmp/who; ps -eo args --no-headers | grep -v -e "ps -eo" -e "^sort" -e warren-agent -e "^sleep" -e "^\\[sleep\\]" -e "^grep" | sort -u');
      const procs = (await r.client.processes.list(B)).map((p) => `${p.pid}:${p.running}`);
      const ptys = (await r.client.pty.list(B)).map((p) => p.sessionId);
      return JSON.stringify([inside.stdout, procs, ptys, (await r.client.get(B)).state]);
    };
    const trap = () => boobyTrap((name) => `/proc/${bPid}/root/run/warren/${name}`);
    await trap();
    const before = await fingerprint();
    const drain = async (it: AsyncIterable<unknown>) => {
      for await (const _ of it) {
      }
    };
    const ops: Array<[string, () => Promise<unknown>]> = [
      ['exec', () => exec(A, 'echo hi > /tmp/from-exec')],
      ['exec stream', () => drain(r.client.execStream(A, { cmd: sh('echo streamed'), user: 'root' }))],
      ['files', async () => {
        await r.client.files.write(A, '/tmp/f1', Buffer.from('1'));
        await r.client.files.mkdir(A, '/tmp/d1');
        await r.client.files.rename(A, '/tmp/f1', '/tmp/d1/f2');
        await r.client.files.list(A, '/tmp/d1');
        await r.client.files.stat(A, '/tmp/d1/f2');
        await r.client.files.readBuffer(A, '/tmp/d1/f2');
        await r.client.files.remove(A, '/tmp/d1', { recursive: true });
      }],
      ['processes', async () => {
        const p = await r.client.processes.start(A, { cmd: sh('echo bg; sleep 30'), user: 'root' });
        await r.client.processes.list(A);
        await r.client.processes.output(A, p.pid).next();
        await r.client.processes.kill(A, p.pid);
      }],
      ['terminal', async () => {
        const { sessionId } = await r.client.pty.create(A, { cols: 80, rows: 24 });
        await r.client.pty.list(A);
        await r.client.pty.resize(A, sessionId, 100, 30);
        await r.client.pty.kill(A, sessionId);
      }],
      ['metrics and timeout', async () => {
        await r.client.metrics(A);
        await r.client.setTimeout(A, 600);
      }],
      ['snapshot', async () => {
        const snap = await r.client.snapshots.create(A);
        await r.client.snapshots.delete(snap.id);
      }],
      ['pause and resume', async () => {
        await r.client.pause(A);
        await r.client.resume(A);
      }],
      ['stop, files while stopped, start', async () => {
        await r.client.stop(A);
        await r.client.files.write(A, '/tmp/while-stopped', Buffer.from('s'));
        await r.client.files.list(A, '/tmp');
        await r.client.start(A);
        await trap(); // a fresh /run/warren after the restart: plant again
      }],
      ['runner restart', async () => {
        await r.restart();
        await r.client.processes.list(A);
        await r.client.pty.list(A);
        await exec(A, 'true');
      }],
    ];
    for (const [name, op] of ops) {
      await op().catch((err: Error) => {
        throw new Error(`${name}: ${err.message}`);
      });
      expect(await fingerprint(), `after ${name}`).toBe(before);
    }
    expect((await exec(A, 'cat /tmp/from-exec /tmp/while-stopped')).stdout).toBe('hi\ns');
  });
});
