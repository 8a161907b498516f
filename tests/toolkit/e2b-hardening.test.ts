import http from 'node:http';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Sandbox } from 'e2b';
import { mintE2bKey, pointE2bAt } from './helpers/e2b';
import { warren } from './helpers/warren';

/**
 * envd's multipart upload on the gateway: the body is parsed in the console's memory, so one
 * sent without Content-Length (chunked) must still be cut at the upload cap, not read whole.
 */
let sbx: Sandbox;
let key: string;
beforeAll(async () => {
  key = await mintE2bKey();
  pointE2bAt(key);
  sbx = await Sandbox.create({ timeoutMs: 300_000 });
});
afterAll(() => sbx?.kill().catch(() => {}));

const token = () => (sbx as unknown as { envdAccessToken: string }).envdAccessToken;
const MiB = 1024 * 1024;

/** Streams a multipart body in 1 MiB chunks until the server answers or `total` is sent. */
function chunkedUpload(total: number, body?: Buffer): Promise<{ status: number; sent: number; text: string }> {
  const gw = inject('e2bGateway');
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = http.request({
      host: '127.0.0.1',
      port: new URL(gw.url).port,
      path: '/files?path=/tmp/big.bin',
      method: 'POST',
      headers: {
        'e2b-sandbox-id': sbx.sandboxId,
        'x-access-token': token(),
        'content-type': 'multipart/form-data; boundary=XyZ',
        'transfer-encoding': 'chunked',
      },
    });
    req.on('response', (res) => {
      answered = true;
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, sent, text });
        req.destroy();
      });
    });
    req.on('error', (err) => {
      if (!answered) reject(err);
    });
    if (body) {
      req.end(body);
      return;
    }
    const chunk = Buffer.alloc(MiB, 0x61);
    const pump = () => {
      while (!answered && sent < total) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (!answered) req.end();
    };
    req.write('--XyZ\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n');
    pump();
  });
}

describe('E2B gateway uploads', () => {
  it('a chunked multipart body past the cap is refused with 413 before it is all read', async () => {
    const cap = 100 * MiB; // WARREN_MAX_UPLOAD_BYTES's default, which the test Warren uses
    const r = await chunkedUpload(4 * cap);
    expect(r.status).toBe(413);
    expect(r.sent).toBeLessThan(2 * cap);
  }, 120_000);

  it('a malformed multipart body is a 400, not a server error', async () => {
    const r = await chunkedUpload(0, Buffer.from('this is not multipart at all'));
    expect(r.status).toBe(400);
    expect(JSON.parse(r.text)).toMatchObject({ code: 400 });
  });
});

describe('E2B create', () => {
  it("refuses Warren's own metadata keys (a demo visitor's mark), as /api/v1 does", async () => {
    const res = await fetch(`${warren().url}/api/e2b/sandboxes`, {
      method: 'POST',
      headers: { 'x-api-key': key, 'content-type': 'application/json' },
      body: JSON.stringify({ templateID: 'base', timeout: 60, metadata: { warren_share: 'shr_someone', team: 'a' } }),
    });
    const body = (await res.json()) as { sandboxID?: string; message?: string };
    if (body.sandboxID) await Sandbox.kill(body.sandboxID).catch(() => {});
    expect(res.status).toBe(400);
    expect(body.message).toMatch(/reserved for Warren/);
  });
});

describe('code contexts', () => {
  it('at most 16 per sandbox, even through the tokenless public port', async () => {
    const gw = inject('e2bGateway');
    const create = () =>
      fetch(`${gw.url}/contexts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'e2b-sandbox-id': sbx.sandboxId, 'e2b-sandbox-port': '49999' },
        body: JSON.stringify({ language: 'bash' }),
      });
    const statuses: number[] = [];
    for (let i = 0; i < 17; i++) statuses.push((await create()).status);
    expect(statuses.slice(0, 16)).toEqual(Array(16).fill(200));
    expect(statuses[16]).toBe(429);
    const listed = await fetch(`${gw.url}/contexts`, { headers: { 'e2b-sandbox-id': sbx.sandboxId, 'e2b-sandbox-port': '49999' } });
    expect(((await listed.json()) as unknown[]).length).toBe(16);
  }, 120_000);
});

describe('malformed bodies', () => {
  it('a JSON null body is a 400 on the REST API and on the code interpreter port, not a 500', async () => {
    const rest = await fetch(`${warren().url}/api/e2b/sandboxes/${sbx.sandboxId}/refreshes`, {
      method: 'POST',
      headers: { 'x-api-key': key, 'content-type': 'application/json' },
      body: 'null',
    });
    expect(rest.status).toBe(400);
    const gw = inject('e2bGateway');
    const ctx = await fetch(`${gw.url}/contexts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'e2b-sandbox-id': sbx.sandboxId, 'e2b-sandbox-port': '49999' },
      body: 'null',
    });
    expect(ctx.status).toBe(400);
  });
});
