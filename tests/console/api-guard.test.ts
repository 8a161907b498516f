import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDb } from '@/db';
import { API_ROUTES } from '@/lib/api/route-table';
import { makeKey, makeOrg } from './helpers/fixtures';
import { startConsoleApi } from './helpers/next-like';
import { type RawResponse, rawExchange, rawRequest } from './helpers/raw-http';

/**
 * What the console's front door (lib/server/console-server.ts) answers before any route runs:
 * malformed percent-encoding is a 400 and an unsupported method a 405 with Allow, both in the
 * API's JSON error shape, for every kind of route (v1 and not).
 */
let api: Awaited<ReturnType<typeof startConsoleApi>>;
let key: string;
beforeAll(async () => {
  api = await startConsoleApi();
  const { scope } = await makeOrg();
  key = await makeKey(scope, 'owner');
});
afterAll(async () => {
  await api?.close();
  await closeDb();
});

async function send(method: string, p: string, body?: string): Promise<RawResponse> {
  const [res] = await rawExchange(api.port, rawRequest(method, p, { key, body, headers: { connection: 'close' } }));
  return res!;
}

function expectJsonError(res: RawResponse, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(JSON.parse(res.body)).toEqual({ error: { code, message: expect.any(String) } });
}

describe('the route table the guard uses', () => {
  it('lists exactly the route files under app/api and the methods they export', () => {
    const found: Record<string, string[]> = {};
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, e.name);
        if (e.isDirectory()) walk(full);
        else if (e.name === 'route.ts') {
          const src = fs.readFileSync(full, 'utf8');
          const methods = [...src.matchAll(/export (?:const|async function) (GET|POST|PUT|PATCH|DELETE)\b|export const \{([^}]*)\}/g)]
            .flatMap((m) => (m[1] ? [m[1]] : m[2]!.split(',').map((s) => s.trim())))
            .sort();
          found[`/${path.relative(process.cwd(), path.dirname(full)).replace(/^app\//, '')}`] = methods;
        }
      }
    };
    walk(path.join(process.cwd(), 'app/api'));
    expect(Object.fromEntries(Object.entries(API_ROUTES).map(([k, v]) => [k, [...v].sort()]))).toEqual(found);
  });
});

describe('malformed percent-encoding in a path parameter', () => {
  const paths = [
    '/api/v1/sandboxes/%ZZ',
    '/api/v1/sandboxes/%ZZ/files?path=/',
    '/api/v1/sandboxes/abc/ports/%ZZ',
    '/api/v1/snapshots/%E0%A4%A',
    '/api/v1/snapshots/%ZZ/files/content?path=/x',
    '/api/v1/shares/%',
    '/api/v1/api-keys/%ZZ',
    '/api/v1/members/%C0%AF',
    '/api/v1/invitations/%ZZ',
    '/api/embed/%ZZ/terminal',
  ];
  it('is a 400 in the JSON error shape, whatever the method', async () => {
    for (const p of paths) {
      for (const method of ['GET', 'DELETE', 'POST', 'PATCH']) {
        const res = await send(method, p, method === 'POST' || method === 'PATCH' ? '{}' : undefined);
        expect(res.status, `${method} ${p}`).toBe(400);
        expectJsonError(res, 400, 'bad_request');
      }
    }
  });

  it('is a plain 400 on pages with a dynamic segment too (Next answered 500)', async () => {
    for (const p of ['/embed/%ZZ', '/invite/%E0%A4%A']) {
      const res = await send('GET', p);
      expect(res.status, p).toBe(400);
      expect(res.body).toContain('not valid percent-encoding');
    }
  });
});

describe('dot segments in the path', () => {
  it('are a 400: resolved by Next, they reached another route or a 308 to the parent resource', async () => {
    // DELETE …/ports/%2e%2e was redirected to DELETE /sandboxes/abc, the sandbox itself.
    for (const p of ['/api/v1/sandboxes/abc/ports/%2e%2e', '/api/v1/sandboxes/%2E%2e/exec', '/api/v1/sandboxes/abc/ports/..', '/api/v1/api-keys/.', '/api/v1/sandboxes/abc\\..']) {
      expectJsonError(await send('DELETE', p), 400, 'bad_request');
    }
  });
});

describe('methods a route does not serve', () => {
  it('are a 405 with Allow and a JSON body, on v1 routes and on the others', async () => {
    const cases: [string, string, string][] = [
      ['TRACE', '/api/v1/sandboxes', 'GET, HEAD, OPTIONS, POST'],
      ['PURGE', '/api/v1/sandboxes/abc', 'DELETE, GET, HEAD, OPTIONS'],
      ['PROPFIND', '/api/v1/sandboxes/abc/ports/80', 'DELETE, OPTIONS, PATCH'],
      ['PUT', '/api/v1/api-keys', 'GET, HEAD, OPTIONS, POST'],
      ['GET', '/api/v1/shares/abc', 'DELETE, OPTIONS'],
      ['TRACE', '/api/orgs', 'GET, HEAD, OPTIONS, POST'],
      ['DELETE', '/api/health', 'GET, HEAD, OPTIONS'],
      ['TRACE', '/api/auth/session', 'GET, HEAD, OPTIONS, POST'],
      ['MKCOL', '/api/signup', 'OPTIONS, POST'],
    ];
    for (const [method, p, allow] of cases) {
      const res = await send(method, p);
      expect(res.status, `${method} ${p}`).toBe(405);
      expect(res.headers.allow, `${method} ${p}`).toBe(allow);
      expectJsonError(res, 405, 'method_not_allowed');
    }
  });

  it('methods HTTP itself does not know are refused by the parser, also as JSON', async () => {
    for (const method of ['TRACK', 'FOO']) expectJsonError(await send(method, '/api/v1/sandboxes'), 400, 'bad_request');
  });

  it('leaves the methods a route serves (and HEAD, OPTIONS) to the route', async () => {
    expect((await send('GET', '/api/v1/org')).status).toBe(200);
    expect((await send('HEAD', '/api/v1/org')).status).toBe(200);
    const options = await send('OPTIONS', '/api/v1/org');
    expect(options.status).toBe(204);
  });

  it('answers an unknown API path with a JSON 404', async () => {
    expectJsonError(await send('GET', '/api/v1/nope'), 404, 'not_found');
    expectJsonError(await send('TRACE', '/api/v2/sandboxes'), 404, 'not_found');
  });
});
