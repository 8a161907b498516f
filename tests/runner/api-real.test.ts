import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type RunnerHandle, sh, startRunner } from './harness';
import { ISOLATION_LEVELS } from './levels';

/**
 * The API features that live above the core (terminals, port tunnels and the HTTP/WebSocket
 * proxy, relative file paths) against a real runner and a real sandbox at each isolation level
 * (runc, and runsc where ports go through the agent's DIAL instead of nsenter + socat).
 */
const wait = (ms: number) => new Promise((res) => setTimeout(res, ms));

/** A WebSocket echo server in the sandbox's python3 (handshake, then one short text frame back). */
const WS_ECHO = `import base64, hashlib, socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 8001))
s.listen(8)
while True:
    c, _ = s.accept()
    try:
        head = b""
        while b"\\r\\n\\r\\n" not in head:
            d = c.recv(4096)
            if not d:
                raise EOFError
            head += d
        lines = head.decode("latin1").split("\\r\\n")
        path = lines[0].split(" ")[1]
        key = [l.split(":", 1)[1].strip() for l in lines if l.lower().startswith("sec-websocket-key:")][0]
        acc = base64.b64encode(hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode()
        c.sendall(("HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\nSec-WebSocket-Accept: " + acc + "\\r\\n\\r\\n").encode())
        f = c.recv(4096)
        n, mask = f[1] & 127, f[2:6]
        out = b"echo:" + bytes(b ^ mask[i % 4] for i, b in enumerate(f[6:6 + n])) + b":" + path.encode()
        c.sendall(bytes([129, len(out)]) + out)
    except Exception:
        c.close()
`;

describe.each(ISOLATION_LEVELS)('runner API on real sandboxes (isolation %s)', (isolation) => {
  let r: RunnerHandle;
  let id: string;
  beforeAll(async () => {
    r = await startRunner();
    id = (await r.client.create({ isolation, resources: { cpu: 1, memoryMb: 256, diskMb: 256 } })).id;
  });
  afterAll(() => r?.destroy());

  it('starts threads and waits in pselect6, which servers and readline need', async () => {
    // runsc ignores the profile's ENOSYS for clone3 and knew pselect6 by another name: both came
    // back EPERM there, so no thread started (pthread_create does not fall back on EPERM) and
    // bash logged out at its first key (readline read the EPERM as EOF).
    const py = [
      'import ctypes, os, threading',
      'libc = ctypes.CDLL(None, use_errno=True)',
      'ts = (ctypes.c_long * 2)(0, 1000)',
      'r = libc.syscall(270, 0, None, None, None, ts, None)',
      'print("pselect6", r, os.strerror(ctypes.get_errno()) if r < 0 else "ok")',
      'r = libc.syscall(435, None, 0)',
      'print("clone3", r, os.strerror(ctypes.get_errno()))',
      't = threading.Thread(target=lambda: print("thread ran")); t.start(); t.join()',
    ].join('\n');
    const out = await r.client.exec(id, { cmd: ['python3', '-c', py] });
    expect(out.stderr).toBe('');
    expect(out.stdout).toBe('pselect6 0 ok\nclone3 -1 Function not implemented\nthread ran\n');
  });

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
      for (let i = 0; i < 600 && !out.includes(s); i++) await wait(25);
      expect(out.slice(-600), `waiting for ${s}`).toContain(s);
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

  it('reaches a server inside the sandbox through the tunnel and the HTTP and WebSocket proxy', async () => {
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

    // A WebSocket through the proxy: handshake and one short text frame each way.
    await r.client.files.write(id, 'ws.py', Buffer.from(WS_ECHO));
    await r.client.processes.start(id, { cmd: ['python3', 'ws.py'] });
    const { socketPath } = r.client.proxyRequestOptions(id, 8001, '/', 'GET') as { socketPath: string };
    let reply = '';
    for (let i = 0; i < 100 && !reply; i++) {
      const ws = new WebSocket(`ws+unix:${socketPath}:/v1/sandboxes/${id}/ports/8001/http/chat?room=1`, { headers: { authorization: `Bearer ${r.token}` } });
      reply = await new Promise<string>((resolve) => {
        ws.on('open', () => ws.send('hi'));
        ws.on('message', (m) => resolve(m.toString()));
        ws.on('error', () => resolve(''));
      });
      ws.close();
      if (!reply) await wait(100);
    }
    expect(reply).toBe('echo:hi:/chat?room=1');
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
    const who = await r.client.exec(id, { cmd: sh('python3 -c "import os, pwd, sys; print(pwd.getpwuid(os.stat(sys.argv[1]).st_uid).pw_name)" rel/a.txt') });
    expect(who.stdout.trim()).toBe('user');
    await expect(r.client.files.write(id, '/etc/forbidden', Buffer.from('x'))).rejects.toMatchObject({ status: 403 });
  });

  it('answers 507 when an upload fills the sandbox disk, leaving no partial file', async () => {
    const small = await r.client.create({ isolation, resources: { cpu: 1, memoryMb: 256, diskMb: 32 } });
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
