import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import WebSocket from 'ws';
import { CLIENTS, mintE2bKey, pointE2bAt } from './helpers/e2b';

beforeAll(async () => {
  pointE2bAt(await mintE2bKey());
});

const ECHO_SERVER = fs.readFileSync(path.join(__dirname, 'helpers/ws-echo.py'), 'utf8');

/** Opens a WebSocket to `getHost(port)` through the gateway (the host name routes it), or fails. */
function openWs(host: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  const ws = new WebSocket(`${inject('e2bGateway').url}/echo`, { headers: { host, ...headers } });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

async function openWhenUp(host: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  let last: unknown;
  for (let i = 0; i < 50; i++) {
    try {
      return await openWs(host, headers);
    } catch (err) {
      last = err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw last;
}

const nextMessage = (ws: WebSocket) => new Promise<string>((r) => ws.once('message', (d) => r(String(d))));

describe('getHost(port) carries WebSocket upgrades to a server in the sandbox', () => {
  const { Sandbox } = CLIENTS[0][1];
  let open: InstanceType<typeof Sandbox>;
  let closed: InstanceType<typeof Sandbox>;
  beforeAll(async () => {
    [open, closed] = await Promise.all([
      Sandbox.create({ timeoutMs: 300_000 }),
      Sandbox.create({ network: { allowPublicTraffic: false }, timeoutMs: 300_000 }),
    ]);
    for (const sbx of [open, closed]) {
      await sbx.files.write('/home/user/ws-echo.py', ECHO_SERVER);
      await sbx.commands.run('python3 /home/user/ws-echo.py 8765', { background: true, timeoutMs: 0 });
    }
  });
  afterAll(async () => {
    await Promise.all([open?.kill().catch(() => {}), closed?.kill().catch(() => {})]);
  });

  it('echoes messages both ways over the upgraded connection', async () => {
    const ws = await openWhenUp(open.getHost(8765));
    ws.send('hello');
    expect(await nextMessage(ws)).toBe('echo:hello');
    ws.send('again');
    expect(await nextMessage(ws)).toBe('echo:again');
    const closedWith = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    ws.close(1000);
    expect(await closedWith).toBe(1000);
  });

  it('a sandbox without public traffic refuses the upgrade unless its traffic token comes along', async () => {
    const host = closed.getHost(8765);
    await expect(openWs(host)).rejects.toThrow('HTTP 404');
    const token = (closed as unknown as { trafficAccessToken: string }).trafficAccessToken;
    const ws = await openWhenUp(host, { 'e2b-traffic-access-token': token });
    ws.send('private');
    expect(await nextMessage(ws)).toBe('echo:private');
    ws.close();
  });

  it('the envd port itself takes no upgrade', async () => {
    await expect(openWs(open.getHost(49983))).rejects.toThrow('HTTP 404');
  });
});
