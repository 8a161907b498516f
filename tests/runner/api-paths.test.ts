import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunnerHandle, startRunner } from './harness';

/**
 * The port proxy appends caller input to /v1/sandboxes/:id/ports/:port/http. Dot segments or
 * encoded separators in a raw path must never be resolved into another route of the runner API.
 */
describe('runner API path normalization', () => {
  let r: RunnerHandle;
  beforeAll(async () => {
    r = await startRunner();
  });
  afterAll(() => r?.destroy());

  const raw = (p: string) =>
    new Promise<number>((resolve, reject) => {
      const req = http.request({ socketPath: path.join(path.dirname(r.dataDir), 'runner.sock'), path: p, headers: { authorization: `Bearer ${r.token}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });

  it('refuses raw paths that would climb out of the port proxy into other routes', async () => {
    expect(await raw('/v1/sandboxes')).toBe(200);
    for (const p of [
      '/v1/sandboxes/abc/ports/80/http/../../../../../v1/sandboxes',
      '/v1/sandboxes/abc/ports/80/http/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/v1/sandboxes',
      '/v1/sandboxes/abc/ports/80/http/..%2f..%2f..%2fv1/sandboxes',
      '/v1/./sandboxes',
    ]) {
      expect(await raw(p), p).toBe(400);
    }
  });
});
