import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createShare, revokeShare } from '@/lib/embeds/shares';
import { openEmbed } from '@/lib/embeds/open-embed';
import { issuePreviewToken } from '@/lib/previews/preview-access';
import { createSandbox } from '@/lib/sandboxes/create';
import { exposePort } from '@/lib/sandboxes/ports';
import { sandboxAction } from '@/lib/sandboxes/lifecycle';
import { previewHttp, previewUpgrade } from '@/lib/server/preview-proxy';
import { terminalUpgrade } from '@/lib/server/terminal-relay';
import { openTerminal } from '@/lib/terminal/open-terminal';
import type { RunnerHandle } from '../runner/harness';
import { makeTestOrg, type TestOrg, teardown, useRunner } from './sandboxes-fixture';

/**
 * The console process's own routes, served for real over TCP exactly as server.ts wires them:
 * the terminal WebSocket relay (tickets, API keys, read-only shares, revocation) and the
 * preview proxy (private vs public ports, port-scoped tokens, stopped sandboxes).
 */
let runner: RunnerHandle;
let A: TestOrg;
let server: http.Server;
let base: string;
let sandboxId: string;

beforeAll(async () => {
  process.env.WARREN_PREVIEW_DOMAIN = 'preview.localhost';
  [runner, A] = await Promise.all([useRunner(), makeTestOrg()]);
  server = http.createServer((req, res) => {
    if (!previewHttp(req, res)) res.writeHead(404).end();
  });
  server.on('upgrade', (req, socket, head) => {
    if (!previewUpgrade(req, socket, head) && !terminalUpgrade(req, socket, head)) socket.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  sandboxId = (await createSandbox(A.scope, { timeoutSec: 600 })).id;
});
afterAll(async () => {
  server?.close();
  await teardown(runner);
});

/** Opens a terminal socket and collects what it prints until `until` appears. */
function terminal(url: string, headers: Record<string, string> = {}) {
  const ws = new WebSocket(url, { headers });
  let out = '';
  const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
  ws.on('message', (d, binary) => {
    if (binary) out += d.toString();
  });
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
  const waitFor = async (text: string, ms = 10_000) => {
    const end = Date.now() + ms;
    while (!out.includes(text)) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${text}; got ${JSON.stringify(out.slice(-300))}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { ws, opened, closed, waitFor, output: () => out };
}

function get(path: string, host: string, cookie?: string) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const [h, p] = base.split(':');
    const req = http.request({ host: h, port: Number(p), path, headers: { host, ...(cookie ? { cookie } : {}) } }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('terminal relay', () => {
  it('relays a ticket holder to the sandbox shell, and a second viewer joins the same session', async () => {
    const t = await openTerminal(A.scope, sandboxId, { cols: 100, rows: 30 });
    const one = terminal(`ws://${base}${t.url}`);
    await one.opened;
    one.ws.send(Buffer.from('echo relay-$((40+2))\r'));
    await one.waitFor('relay-42');
    const again = await openTerminal(A.scope, sandboxId);
    expect(again.sessionId).toBe(t.sessionId);
    const two = terminal(`ws://${base}${again.url}`);
    await two.opened;
    await two.waitFor('relay-42'); // replayed recent output
    one.ws.close();
    two.ws.close();
  });

  it('refuses a forged or mismatched ticket and accepts an API key', async () => {
    const bad = terminal(`ws://${base}/api/v1/sandboxes/${sandboxId}/terminal?ticket=forged.token`);
    await expect(bad.opened).rejects.toThrow('HTTP 401');
    const viaKey = terminal(`ws://${base}/api/v1/sandboxes/${sandboxId}/terminal`, { authorization: `Bearer ${A.developer}` });
    await viaKey.opened;
    viaKey.ws.send(Buffer.from('echo key-ok\r'));
    await viaKey.waitFor('key-ok');
    viaKey.ws.close();
    const viewer = terminal(`ws://${base}/api/v1/sandboxes/${sandboxId}/terminal`, { authorization: `Bearer ${A.viewer}` });
    await expect(viewer.opened).rejects.toThrow('HTTP 403');
  });

  it('a read-only share link watches without typing, and revoking it cuts the viewer off', async () => {
    const { share, url } = await createShare(A.scope, { sandboxId, mode: 'ro' });
    const token = url.split('/embed/')[1]!;
    const e = await openEmbed(token, {});
    const viewer = terminal(`ws://${base}${e.url}`);
    await viewer.opened;
    viewer.ws.send(Buffer.from('echo typed-by-viewer\r'));
    const owner = await openTerminal(A.scope, sandboxId);
    const ownerWs = terminal(`ws://${base}${owner.url}`);
    await ownerWs.opened;
    ownerWs.ws.send(Buffer.from('echo from-owner\r'));
    await viewer.waitFor('from-owner');
    expect(viewer.output()).not.toContain('typed-by-viewer');
    await revokeShare(A.scope, share.id);
    expect(await viewer.closed).toBe(4001);
    await expect(openEmbed(token, {})).rejects.toMatchObject({ status: 404 });
    ownerWs.ws.close();
  });
});

describe('preview proxy', () => {
  it('serves an exposed port: private needs a token for that port, public does not; stopped is a clear page', async () => {
    await runner.client.processes.start(sandboxId, { cmd: ['python3', '-m', 'http.server', '8000', '--bind', '127.0.0.1'], tag: 'web' });
    await runner.client.exec(sandboxId, { cmd: ['bash', '-c', 'echo preview-works > /home/user/index.html; sleep 1'] });
    const host = `8000-${sandboxId}.preview.localhost`;

    expect((await get('/', host)).status).toBe(404); // not exposed yet
    await exposePort(A.scope, sandboxId, 8000, false);
    const anon = await get('/', host);
    expect(anon.status).toBe(302);
    expect(anon.headers.location).toContain('/api/previews/authorize');

    const other = issuePreviewToken({ sandboxId, port: 9000 });
    expect((await get('/', host, `warren_preview=${other}`)).status).toBe(302); // a token for another port
    const mine = issuePreviewToken({ sandboxId, port: 8000 });
    const ok = await get('/index.html', host, `warren_preview=${mine}`);
    expect(ok.status).toBe(200);
    expect(ok.body).toBe('preview-works\n');

    const arrive = await get(`/index.html?warren_token=${encodeURIComponent(mine)}`, host);
    expect(arrive.status).toBe(302);
    expect(arrive.headers['set-cookie']?.[0]).toMatch(/^warren_preview=.*HttpOnly/);

    await exposePort(A.scope, sandboxId, 8000, true).catch(async () => {
      const { updatePort } = await import('@/lib/sandboxes/ports');
      await updatePort(A.scope, sandboxId, 8000, true);
    });
    expect((await get('/index.html', host)).body).toBe('preview-works\n');

    // Dot segments could climb out of the proxied path into the runner's own API: refused.
    for (const sneaky of ['/../../../../../../v1/sandboxes', '/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/v1/sandboxes', '/a/..%2f..%2fv1']) {
      expect((await get(sneaky, host)).status, sneaky).toBe(400);
    }

    await sandboxAction(A.scope, sandboxId, 'stop');
    const stopped = await get('/', host);
    expect(stopped.status).toBe(503);
    expect(stopped.body).toContain('This sandbox is stopped');
  });
});
