import http from 'node:http';
import { expect, it } from 'vitest';
import { warren } from './helpers/warren';

/** The console's fast path builds the request URL from the Host header the client sent. */
function get(path: string, host: string): Promise<{ status: number; body: string }> {
  const u = new URL(warren().url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: u.hostname, port: u.port, path, method: 'GET', headers: { host, authorization: `Bearer ${warren().adminKey}` } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

it.each(['a b', 'x:99999', '[zz]', '%'])('a Host header like %j is a 400 on the fast API routes, not a 500', async (host) => {
  const r = await get('/api/v1/sandboxes', host);
  expect(r.status).toBe(400);
  expect(JSON.parse(r.body)).toMatchObject({ error: { code: 'bad_request' } });
});
