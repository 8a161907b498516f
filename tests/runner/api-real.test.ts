import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunnerHandle, sh, startRunner } from './harness';

/**
 * The API features that live above the core (terminals, port tunnels and the HTTP proxy,
 * relative file paths) against a real runner and a real runc sandbox.
 */
let r: RunnerHandle;
let id: string;
beforeAll(async () => {
  r = await startRunner();
  id = (await r.client.create({ resources: { cpu: 1, memoryMb: 256, diskMb: 256 } })).id;
});
afterAll(() => r?.destroy());

const wait = (ms: number) => new Promise((res) => setTimeout(res, ms));

describe('runner API on real sandboxes', () => {
  it('runs a terminal as user in its home, with resize and exit', async () => {
    const { sessionId } = await r.client.pty.create(id, { cols: 90, rows: 33 });
    const ws = r.client.connectPty(id, sessionId);
    let out = '';
    const messages: unknown[] = [];
    ws.on('message', (d: Buffer, binary: boolean) => {
      if (binary) out += d.toString();
      else messages.push(JSON.parse(d.toString()));
    });
    await new Promise((res, rej) => ws.once('open', res).once('error', rej));
    const until = async (s: string) => {
      for (let i = 0; i < 200 && !out.includes(s); i++) await wait(25);
      expect(out, `waiting for ${s}`).toContain(s);
    };
    ws.send(Buffer.from('echo "$(whoami)@$(pwd) $TERM"; stty size\r'), { binary: true });
    await until('user@/home/user xterm-256color');
    await until('33 90');
    ws.send(JSON.stringify({ type: 'resize', cols: 70, rows: 20 }));
    await wait(100);
    ws.send(Buffer.from('stty size\r'), { binary: true });
    await until('20 70');
    const closed = new Promise((res) => ws.once('close', res));
    ws.send(Buffer.from('exit 2\r'), { binary: true });
    await closed;
    expect(messages).toContainEqual({ type: 'exit', exitCode: 2, signal: null });
  });

  it('reaches a server inside the sandbox through the tunnel and the HTTP proxy', async () => {
    await r.client.files.write(id, 'site/index.html', Buffer.from('inside'), { parents: true });
    await r.client.processes.start(id, {
      cmd: ['python3', '-m', 'http.server', '8000', '--bind', '127.0.0.1'],
      cwd: 'site',
    });
    let sock = null;
    for (let i = 0; i < 100 && !sock; i++) {
      sock = await r.client.tunnel(id, 8000).catch(() => null);
      if (!sock) await wait(100);
    }
    expect(sock).not.toBeNull();
    sock!.write('GET /index.html HTTP/1.0\r\n\r\n');
    let raw = '';
    for await (const c of sock!) raw += c.toString();
    expect(raw).toMatch(/^HTTP\/1\.0 200/);
    expect(raw.endsWith('inside')).toBe(true);

    const body = await new Promise<string>((resolve, reject) => {
      const req = http.request(r.client.proxyRequestOptions(id, 8000, '/index.html', 'GET'), (res) => {
        let text = '';
        res.on('data', (c) => {
          text += c;
        });
        res.on('end', () => resolve(`${res.statusCode} ${text}`));
      });
      req.on('error', reject);
      req.end();
    });
    expect(body).toBe('200 inside');
    // Nothing on the host side listens for the sandbox: the port exists only in its netns.
    const host = await new Promise<string>((resolve) => {
      http
        .get('http://127.0.0.1:8000/', () => resolve('reached'))
        .on('error', (e) => resolve((e as NodeJS.ErrnoException).code ?? ''));
    });
    expect(host).not.toBe('reached');
  });

  it('resolves relative file paths against /home/user and writes as user', async () => {
    await r.client.files.write(id, 'rel/a.txt', Buffer.from('a'), { parents: true });
    const st = await r.client.files.stat(id, '/home/user/rel/a.txt');
    expect(st).toMatchObject({ type: 'file', size: 1, path: '/home/user/rel/a.txt' });
    const who = await r.client.exec(id, { cmd: sh('stat -c %U rel/a.txt') });
    expect(who.stdout.trim()).toBe('user');
    await expect(r.client.files.write(id, '/etc/forbidden', Buffer.from('x'))).rejects.toMatchObject({ status: 403 });
  });

  it('answers 507 when an upload fills the sandbox disk, leaving no partial file', async () => {
    const small = await r.client.create({ resources: { cpu: 1, memoryMb: 256, diskMb: 32 } });
    const chunks = Array.from({ length: 64 }, () => Buffer.alloc(1024 * 1024, 7));
    const { Readable } = await import('node:stream');
    await expect(r.client.files.write(small.id, 'fill.bin', Readable.from(chunks))).rejects.toMatchObject({
      status: 507,
      code: 'quota_exceeded',
    });
    const ls = await r.client.exec(small.id, { cmd: sh('ls -A /home/user') });
    expect(ls.stdout).not.toContain('fill');
    await r.client.delete(small.id);
  });
});
