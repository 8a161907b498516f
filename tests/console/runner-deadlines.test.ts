import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as execRoute from '@/app/api/v1/sandboxes/[id]/exec/route';
import * as files from '@/app/api/v1/sandboxes/[id]/files/route';
import * as content from '@/app/api/v1/sandboxes/[id]/files/content/route';
import * as metrics from '@/app/api/v1/sandboxes/[id]/metrics/route';
import * as one from '@/app/api/v1/sandboxes/[id]/route';
import * as stop from '@/app/api/v1/sandboxes/[id]/stop/route';
import { closeDb } from '@/db';
import { LOCAL_RUNNER_ID } from '@/lib/runners/registry';
import { exposePort } from '@/lib/sandboxes/ports';
import { reconcileSandboxes } from '@/lib/sandboxes/reconcile';
import { createConsoleServer } from '@/lib/server/console-server';
import { previewHttp } from '@/lib/server/preview-proxy';
import { ctx, makeSandboxRow } from './helpers/fixtures';
import { type SilentRunner, startSilentRunner, until } from './helpers/silent-runner';
import { api, makeTestOrg, type TestOrg } from './sandboxes-fixture';

/**
 * Every console → runner call has a deadline and a cancel path. The runner here is a hostile
 * peer that accepts connections and never answers; it is made this process's local runner
 * through the environment (no other test file can reach it), and one sandbox row points at it.
 */
let A: TestOrg;
let id: string;
let silent: SilentRunner;
let stalled: SilentRunner;
beforeAll(async () => {
  [A, silent, stalled] = await Promise.all([makeTestOrg(), startSilentRunner(), startSilentRunner({ read: false })]);
  id = await makeSandboxRow(A.scope, LOCAL_RUNNER_ID);
});
afterAll(async () => {
  await Promise.all([silent?.close(), stalled?.close()]);
  await closeDb();
});

/** This process's runner calls go to `runner`, with `ms` as the control-call deadline. */
function useRunner(runner: SilentRunner, ms: number) {
  process.env.WARREN_RUNNER_URL = runner.url;
  process.env.WARREN_RUNNER_TOKEN = 'silent-token-0123456789';
  process.env.WARREN_RUNNER_TIMEOUT_MS = String(ms);
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = Date.now();
  const out = await fn();
  return [out, Date.now() - t0];
}

describe('a runner that accepts and never answers', () => {
  it('control calls, exec, listings and uploads end with a 504 at their deadline', async () => {
    useRunner(silent, 300);
    const q = (p: string) => `?path=${encodeURIComponent(p)}`;
    const calls: [string, () => ReturnType<typeof api>, number][] = [
      ['metrics', () => api(metrics.GET, 'GET', `/sandboxes/${id}/metrics`, { key: A.viewer, params: { id } }), 300],
      ['stop', () => api(stop.POST, 'POST', `/sandboxes/${id}/stop`, { key: A.developer, params: { id } }), 300],
      ['list files', () => api(files.GET, 'GET', `/sandboxes/${id}/files${q('/')}`, { key: A.viewer, params: { id } }), 300],
      ['download', () => api(content.GET, 'GET', `/sandboxes/${id}/files/content${q('/x')}`, { key: A.viewer, params: { id } }), 300],
      // exec honours its own timeoutSec (1 s) plus the margin.
      ['exec', () => api(execRoute.POST, 'POST', `/sandboxes/${id}/exec`, { key: A.developer, body: { cmd: 'true', timeoutSec: 1 }, params: { id } }), 1300],
      [
        'exec stream',
        () =>
          api(execRoute.POST, 'POST', `/sandboxes/${id}/exec`, {
            key: A.developer,
            body: { cmd: 'true', timeoutSec: 1 },
            headers: { accept: 'application/x-ndjson' },
            params: { id },
          }),
        1300,
      ],
      // A transfer has no total deadline, only a limit on silence (twice the control deadline).
      ['upload', () => api(content.PUT, 'PUT', `/sandboxes/${id}/files/content${q('/home/user/f')}`, { key: A.developer, raw: 'hello', params: { id } }), 600],
    ];
    for (const [what, call, atLeast] of calls) {
      const [res, ms] = await timed(call);
      expect(res.status, what).toBe(504);
      expect(res.json.error, what).toMatchObject({ code: 'runner_timeout', message: expect.stringMatching(/did not answer in time/) });
      expect(ms, what).toBeGreaterThanOrEqual(atLeast - 50);
      expect(ms, what).toBeLessThan(atLeast + 2000);
    }
    // Reads of a sandbox never fail because its runner is slow: the stored state comes back.
    const [got] = await timed(() => api(one.GET, 'GET', `/sandboxes/${id}`, { key: A.viewer, params: { id } }));
    expect(got).toMatchObject({ status: 200, json: { id, state: 'running' } });
    // Every call hung up: no connection is left open on the runner.
    await until(() => silent.open() === 0, 2000, 'the console to close its runner connections');
  });

  it('an upload the runner never reads stalls, and times out on silence', async () => {
    useRunner(stalled, 300);
    const big = Buffer.alloc(8 * 1024 * 1024, 1);
    const [res, ms] = await timed(() => api(content.PUT, 'PUT', `/sandboxes/${id}/files/content?path=/home/user/big`, { key: A.developer, raw: big, params: { id } }));
    expect(res.status).toBe(504);
    expect(ms).toBeLessThan(5000);
    stalled.resume();
    await until(() => stalled.open() === 0, 2000, 'the console to close the stalled upload');
  });

  it('the reconciler reports the runner unreachable instead of waiting forever', async () => {
    useRunner(silent, 300);
    const [report, ms] = await timed(() => reconcileSandboxes({ orgId: A.scope.orgId }));
    expect(report.find((r) => r.runner === LOCAL_RUNNER_ID)).toMatchObject({ reachable: false });
    expect(ms).toBeLessThan(5000);
  });
});

describe('a caller that hangs up', () => {
  it('leaving a preview cancels the proxied request to the runner', async () => {
    useRunner(silent, 60_000);
    await exposePort(A.scope, id, 3000, true);
    const server = http.createServer((req, res) => {
      if (!previewHttp(req, res)) res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const before = silent.accepted();
      const visit = http.get({ port: (server.address() as AddressInfo).port, path: '/slow', headers: { host: `3000-${id}.preview.localhost` } });
      visit.on('error', () => {});
      await until(() => silent.accepted() > before, 2000, 'the preview to reach the runner');
      visit.destroy();
      await until(() => silent.open() === 0, 1000, 'the proxied request to be cancelled');
    } finally {
      server.close();
    }
  });

  it('cancels the runner call it was waiting for, long before any deadline', async () => {
    useRunner(silent, 60_000);
    const cases: [string, (signal: AbortSignal) => Promise<Response>][] = [
      [
        'list files',
        (signal) =>
          files.GET(new Request(`http://localhost/api/v1/sandboxes/${id}/files?path=/`, { headers: { authorization: `Bearer ${A.viewer}` }, signal }), ctx({ id })),
      ],
      [
        'exec',
        (signal) =>
          execRoute.POST(
            new Request(`http://localhost/api/v1/sandboxes/${id}/exec`, {
              method: 'POST',
              headers: { authorization: `Bearer ${A.developer}`, 'content-type': 'application/json' },
              body: JSON.stringify({ cmd: 'sleep 30', timeoutSec: 60 }),
              signal,
            }),
            ctx({ id }),
          ),
      ],
      [
        'metrics',
        (signal) => metrics.GET(new Request(`http://localhost/api/v1/sandboxes/${id}/metrics`, { headers: { authorization: `Bearer ${A.viewer}` }, signal }), ctx({ id })),
      ],
    ];
    for (const [what, call] of cases) {
      const before = silent.accepted();
      const hangUp = new AbortController();
      const pending = call(hangUp.signal);
      await until(() => silent.accepted() > before, 2000, `${what} to reach the runner`);
      const [res, ms] = await timed(async () => {
        hangUp.abort();
        return pending;
      });
      expect(ms, what).toBeLessThan(1000);
      expect(res.status, what).toBe(499);
      await until(() => silent.open() === 0, 1000, `${what}: the runner connection to close`);
    }
  });

  it('through the console server (its fast path), a client that leaves an exec cancels the runner call', async () => {
    useRunner(silent, 60_000);
    const server = createConsoleServer((_req, res) => res.writeHead(404).end(), { trustProxy: false });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const before = silent.accepted();
      const body = JSON.stringify({ cmd: 'sleep 30', timeoutSec: 60 });
      const call = http.request({
        port: (server.address() as AddressInfo).port,
        method: 'POST',
        path: `/api/v1/sandboxes/${id}/exec`,
        headers: { authorization: `Bearer ${A.developer}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      });
      call.on('error', () => {});
      call.end(body);
      await until(() => silent.accepted() > before, 2000, 'the exec to reach the runner');
      call.destroy();
      await until(() => silent.open() === 0, 1000, 'the runner call to be cancelled');
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
