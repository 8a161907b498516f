import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type ApiFixture, startApi } from './api-fixture';
import { MAX_AGENT_TUNNELS } from '@/runner/services/port-service';
import { ISOLATION_LEVELS } from './levels';

/**
 * Tunnels and the HTTP/WebSocket proxy at each isolation level's path: `container` through
 * nsenter + socat in the sandbox's netns, `gvisor` through the agent's DIAL (the fake sandboxes
 * are host agents, so both reach the host loopback here; tests/runner/api-real.test.ts does the
 * same against real runc and runsc sandboxes).
 */
describe.each(ISOLATION_LEVELS)('runner API: ports (isolation %s)', (isolation) => {
  const HTTP_PORT = 20000 + (process.pid % 20000) + 2 * ISOLATION_LEVELS.indexOf(isolation);
  const WS_PORT = HTTP_PORT + 1;
  let f: ApiFixture;

  beforeAll(async () => {
    f = await startApi();
    await f.client.create({ id: 'port1', isolation });
    await f.client.files.write('port1', `${f.work}/index.html`, Buffer.from('hello from the sandbox'));
    await f.client.processes.start('port1', {
      cmd: ['python3', '-m', 'http.server', String(HTTP_PORT), '--bind', '127.0.0.1'],
      cwd: f.work,
    });
    // A WebSocket echo server of its own (handshake and one short text frame each way), so the
    // sandbox needs nothing from this checkout (which it cannot see when the clone is under /tmp).
    const wsServer = `const net=require('net'),crypto=require('crypto');
      net.createServer((c)=>{let head='';c.once('data',function onHead(d){head+=d.toString('latin1');
        const url=head.split(' ')[1],key=/Sec-WebSocket-Key: *(.+)/i.exec(head)[1].trim();
        const accept=crypto.createHash('sha1').update(key+'258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
        c.write('HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\nSec-WebSocket-Accept: '+accept+'\\r\\n\\r\\n');
        c.on('data',(f)=>{if((f[0]&15)!==1)return;const n=f[1]&127,mask=f.subarray(2,6),p=Buffer.from(f.subarray(6,6+n)).map((b,i)=>b^mask[i%4]);
          const out=Buffer.from('echo:'+p.toString()+':'+url);c.write(Buffer.concat([Buffer.from([129,out.length]),out]));});});
      }).listen(${WS_PORT},'127.0.0.1');`;
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
    await f.client.create({ id: 'port2', isolation });
    await f.client.stop('port2');
    await expect(f.client.tunnel('port2', HTTP_PORT)).rejects.toMatchObject({ status: 409 });
  });
});

describe('runner API: ports through the agent (gvisor)', () => {
  it(`holds at most ${MAX_AGENT_TUNNELS} tunnels open per sandbox (each is a runner socket and an agent inside); a closed one frees its place`, async () => {
    const g = await startApi();
    try {
      await g.client.create({ id: 'gv1', isolation: 'gvisor' });
      await g.client.create({ id: 'gv2', isolation: 'gvisor' });
      // Anything accepting on the host loopback will do: the fake sandboxes share the host's.
      const server = net.createServer((c) => c.on('error', () => {}));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const port = (server.address() as net.AddressInfo).port;
      const open = [];
      for (let i = 0; i < MAX_AGENT_TUNNELS; i++) open.push(await g.client.tunnel('gv1', port));
      await expect(g.client.tunnel('gv1', port)).rejects.toMatchObject({ status: 429, code: 'quota_exceeded' });
      // The limit is per sandbox.
      (await g.client.tunnel('gv2', port)).destroy();
      open.pop()!.destroy();
      let again = null;
      for (let i = 0; i < 50 && !again; i++) {
        again = await g.client.tunnel('gv1', port).catch(() => null);
        if (!again) await new Promise((r) => setTimeout(r, 50));
      }
      expect(again).not.toBeNull();
      for (const s of [...open, again!]) s.destroy();
      server.close();
    } finally {
      await g.close();
    }
  });
});
