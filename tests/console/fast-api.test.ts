import http from 'node:http';
import zlib from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDb } from '@/db';
import { createConsoleServer } from '@/lib/server/console-server';
import { makeKey, makeOrg, makeSandboxRow } from './helpers/fixtures';

/**
 * The console server answers the hottest sandbox routes itself (lib/server/fast-api.ts) with the
 * same route modules Next serves; everything else still reaches Next. Here "Next" is a stand-in
 * that only records what reached it, so a fast-path answer is one Next never saw.
 */
let server: http.Server;
let base: string;
const reachedNext: string[] = [];

beforeAll(async () => {
  server = createConsoleServer(
    (req, res) => {
      reachedNext.push(`${req.method} ${req.url}`);
      res.writeHead(299).end();
    },
    { trustProxy: false },
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await closeDb();
});

/** Raw GET with exactly the headers given (fetch adds its own Accept-Encoding and decodes). */
const rawGet = (url: string, headers: Record<string, string>) =>
  new Promise<{ headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    http.get(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });

describe('the fast path for hot API routes', () => {
  it('gzips a large JSON answer for a client that asks, as Next does, and only then', async () => {
    const { scope } = await makeOrg();
    const auth = { authorization: `Bearer ${await makeKey(scope, 'viewer')}` };
    for (let i = 0; i < 8; i++) await makeSandboxRow(scope, 'no-such-runner');
    const url = `${base}/api/v1/sandboxes?limit=20`;
    const zipped = await rawGet(url, { ...auth, 'accept-encoding': 'br, gzip' });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers.vary).toMatch(/Accept-Encoding/);
    const listed = JSON.parse(zlib.gunzipSync(zipped.body).toString());
    expect(listed.sandboxes).toHaveLength(8);
    const plain = await rawGet(url, auth);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(plain.body.toString()).sandboxes).toHaveLength(8);
    const refused = await rawGet(url, { ...auth, 'accept-encoding': 'gzip;q=0, identity' });
    expect(refused.headers['content-encoding']).toBeUndefined();
    // A small answer (an error) is not worth compressing.
    const small = await rawGet(`${base}/api/v1/sandboxes/nosuchsandbox1`, { ...auth, 'accept-encoding': 'gzip' });
    expect(small.headers['content-encoding']).toBeUndefined();
  });

  it('answers list and get itself, with every guard of the route', async () => {
    const { scope } = await makeOrg();
    const key = await makeKey(scope, 'viewer');
    const id = await makeSandboxRow(scope, 'no-such-runner');
    const auth = { authorization: `Bearer ${key}` };

    const list = await fetch(`${base}/api/v1/sandboxes?limit=5`, { headers: auth });
    expect(list.status).toBe(200);
    expect((await list.json()).sandboxes.map((s: { id: string }) => s.id)).toEqual([id]);

    const one = await fetch(`${base}/api/v1/sandboxes/${id}`, { headers: auth });
    expect(one.status).toBe(200);
    expect((await one.json()).id).toBe(id);

    // Auth, role and tenancy answer as the route always did, in the API's error shape.
    const anon = await fetch(`${base}/api/v1/sandboxes`);
    expect(anon.status).toBe(401);
    expect((await anon.json()).error.code).toBe('unauthorized');
    const viewerCreates = await fetch(`${base}/api/v1/sandboxes`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{}' });
    expect(viewerCreates.status).toBe(403);
    const other = await makeOrg();
    const stranger = await fetch(`${base}/api/v1/sandboxes/${id}`, { headers: { authorization: `Bearer ${await makeKey(other.scope)}` } });
    expect(stranger.status).toBe(404);
    const badJson = await fetch(`${base}/api/v1/sandboxes/${id}/exec`, { method: 'POST', headers: { authorization: `Bearer ${await makeKey(scope, 'developer')}` }, body: '{nope' });
    expect(badJson.status).toBe(400);
    expect((await badJson.json()).error.code).toBe('bad_request');
    expect(reachedNext).toEqual([]);
  });

  it('leaves other routes, other methods and unusual paths to Next; the guard still answers 405s', async () => {
    reachedNext.length = 0;
    const put = await fetch(`${base}/api/v1/sandboxes`, { method: 'PUT' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toContain('POST');
    for (const [method, p] of [
      ['HEAD', '/api/v1/sandboxes'],
      ['GET', '/api/v1/sandboxes/abc/metrics'],
      ['GET', '/api/v1/sandboxes/'],
      ['GET', '/api/v1/sandboxes/a%20b'],
      ['GET', '/api/v1/org'],
    ]) {
      expect((await fetch(`${base}${p}`, { method })).status).toBe(299);
    }
    expect(reachedNext).toEqual(['HEAD /api/v1/sandboxes', 'GET /api/v1/sandboxes/abc/metrics', 'GET /api/v1/sandboxes/', 'GET /api/v1/sandboxes/a%20b', 'GET /api/v1/org']);
  });
});
