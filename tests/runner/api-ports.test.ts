import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type ApiFixture, startApi } from './api-fixture';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const HTTP_PORT = 20000 + (process.pid % 20000);
const WS_PORT = HTTP_PORT + 1;
let f: ApiFixture;

beforeAll(async () => {
  f = await startApi();
  await f.client.create({ id: 'port1' });
  await f.client.files.write('port1', `${f.work}/index.html`, Buffer.from('hello from the sandbox'));
  await f.client.processes.start('port1', {
    cmd: ['python3', '-m', 'http.server', String(HTTP_PORT), '--bind', '127.0.0.1'],
    cwd: f.work,
  });
  const wsServer = `const {WebSocketServer}=require(${JSON.stringify(path.join(ROOT, 'node_modules', 'ws'))});
    new WebSocketServer({host:'127.0.0.1',port:${WS_PORT}}).on('connection',(s,r)=>s.on('message',(m)=>s.send('echo:'+m+':'+r.url)));`;
  await f.client.processes.start('port1', { cmd: ['node', '-e', wsServer], cwd: '/tmp' });
  // Wait until both listen; a tunnel is refused (502) until something accepts on the port.
  for (const port of [HTTP_PORT, WS_PORT]) {
    for (let i = 0; i < 100; i++) {
      const sock = await f.client.tunnel('port1', port).catch(() => null);
      if (sock) {
        sock.destroy();
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
});
afterAll(async () => {
  for (const p of (await f?.client.processes.list('port1').catch(() => [])) ?? []) {
    await f.client.processes.kill('port1', p.pid).catch(() => {});
  }
  await f?.close();
});

function proxyGet(port: number, rest: string) {
  return new Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }>((resolve, reject) => {
    const req = http.request(f.client.proxyRequestOptions('port1', port, rest, 'GET'), (res) => {
      let body = '';
      res.on('data', (c) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('runner API: ports', () => {
  it('tunnels raw TCP to a port inside the sandbox', async () => {
    const sock = await f.client.tunnel('port1', HTTP_PORT);
    sock.write(`GET /index.html HTTP/1.0\r\nHost: x\r\n\r\n`);
    let text = '';
    for await (const c of sock) text += c.toString();
    expect(text).toMatch(/^HTTP\/1\.0 200/);
    expect(text).toContain('hello from the sandbox');
  });

  it('reverse-proxies HTTP, keeping the path and query', async () => {
    const r = await proxyGet(HTTP_PORT, '/index.html?x=1');
    expect(r.status).toBe(200);
    expect(r.body).toBe('hello from the sandbox');
    const missing = await proxyGet(HTTP_PORT, '/nope');
    expect(missing.status).toBe(404);
  });

  it('proxies WebSocket upgrades', async () => {
    const { socketPath } = f.client.proxyRequestOptions('port1', WS_PORT, '/', 'GET') as { socketPath: string };
    const ws = new WebSocket(`ws+unix:${socketPath}:/v1/sandboxes/port1/ports/${WS_PORT}/http/chat?room=1`, {
      headers: { authorization: `Bearer ${f.token}` },
    });
    const reply = await new Promise<string>((resolve, reject) => {
      ws.on('open', () => ws.send('hi'));
      ws.on('message', (m) => resolve(m.toString()));
      ws.on('error', reject);
    });
    ws.close();
    expect(reply).toBe('echo:hi:/chat?room=1');
  });

  it('answers 502 for a closed port, 400 for a bad one, 409 for a stopped sandbox', async () => {
    const closed = await proxyGet(1, '/');
    expect(closed.status).toBe(502);
    await expect(f.client.tunnel('port1', 1)).rejects.toMatchObject({ status: 502 });
    for (const bad of [0, 65536, 'abc']) {
      await expect(f.client.tunnel('port1', bad as number)).rejects.toMatchObject({ status: 400 });
      expect((await proxyGet(bad as number, '/')).status).toBe(400);
    }
    await f.client.create({ id: 'port2' });
    await f.client.stop('port2');
    await expect(f.client.tunnel('port2', HTTP_PORT)).rejects.toMatchObject({ status: 409 });
  });
});
