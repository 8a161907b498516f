import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as one from '@/app/api/v1/sandboxes/[id]/route';
import * as execRoute from '@/app/api/v1/sandboxes/[id]/exec/route';
import * as execLog from '@/app/api/v1/sandboxes/[id]/exec-log/route';
import * as files from '@/app/api/v1/sandboxes/[id]/files/route';
import * as content from '@/app/api/v1/sandboxes/[id]/files/content/route';
import * as mkdir from '@/app/api/v1/sandboxes/[id]/files/mkdir/route';
import * as metrics from '@/app/api/v1/sandboxes/[id]/metrics/route';
import * as pause from '@/app/api/v1/sandboxes/[id]/pause/route';
import * as ports from '@/app/api/v1/sandboxes/[id]/ports/route';
import * as port from '@/app/api/v1/sandboxes/[id]/ports/[port]/route';
import * as resume from '@/app/api/v1/sandboxes/[id]/resume/route';
import * as sbSnaps from '@/app/api/v1/sandboxes/[id]/snapshots/route';
import * as start from '@/app/api/v1/sandboxes/[id]/start/route';
import * as stop from '@/app/api/v1/sandboxes/[id]/stop/route';
import * as timeout from '@/app/api/v1/sandboxes/[id]/timeout/route';
import * as list from '@/app/api/v1/sandboxes/route';
import * as snaps from '@/app/api/v1/snapshots/route';
import * as snap from '@/app/api/v1/snapshots/[id]/route';
import * as snapFiles from '@/app/api/v1/snapshots/[id]/files/route';
import * as snapContent from '@/app/api/v1/snapshots/[id]/files/content/route';
import type { RunnerHandle } from '../runner/harness';
import { eq } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import { onRunner } from '@/lib/sandboxes/lifecycle';
import { ownedSandbox } from '@/lib/sandboxes/store';
import { recallSandboxRow } from '@/lib/sandboxes/sandbox-row-memo';
import { api, makeTestOrg, type TestOrg, teardown, useRunner } from './sandboxes-fixture';

let runner: RunnerHandle;
let A: TestOrg;
let B: TestOrg;
let sb: string; // B's sandbox
let sn: string; // B's snapshot
beforeAll(async () => {
  [runner, A, B] = await Promise.all([useRunner(), makeTestOrg(), makeTestOrg()]);
  sb = (await api(list.POST, 'POST', '/sandboxes', { key: B.developer, body: { metadata: { owner: 'b' } } })).json.id;
  await api(execRoute.POST, 'POST', `/sandboxes/${sb}/exec`, { key: B.developer, body: { cmd: 'echo secret > /home/user/b.txt' }, params: { id: sb } });
  sn = (await api(sbSnaps.POST, 'POST', `/sandboxes/${sb}/snapshots`, { key: B.developer, body: {}, params: { id: sb } })).json.id;
  await api(ports.POST, 'POST', `/sandboxes/${sb}/ports`, { key: B.developer, body: { port: 8080 }, params: { id: sb } });
});
afterAll(() => teardown(runner));

type Case = [string, Parameters<typeof api>[0], string, () => string, object?];
const q = '?path=/home/user/b.txt';
const cases: Case[] = [
  ['GET /sandboxes/:id', one.GET, 'GET', () => `/sandboxes/${sb}`],
  ['DELETE /sandboxes/:id', one.DELETE, 'DELETE', () => `/sandboxes/${sb}`],
  ['POST start', start.POST, 'POST', () => `/sandboxes/${sb}/start`],
  ['POST stop', stop.POST, 'POST', () => `/sandboxes/${sb}/stop`],
  ['POST pause', pause.POST, 'POST', () => `/sandboxes/${sb}/pause`],
  ['POST resume', resume.POST, 'POST', () => `/sandboxes/${sb}/resume`],
  ['POST timeout', timeout.POST, 'POST', () => `/sandboxes/${sb}/timeout`, { timeoutSec: 60 }],
  ['POST exec', execRoute.POST, 'POST', () => `/sandboxes/${sb}/exec`, { cmd: 'rm -rf /home/user' }],
  ['GET exec-log', execLog.GET, 'GET', () => `/sandboxes/${sb}/exec-log`],
  ['GET metrics', metrics.GET, 'GET', () => `/sandboxes/${sb}/metrics`],
  ['GET files', files.GET, 'GET', () => `/sandboxes/${sb}/files?path=/home/user`],
  ['DELETE files', files.DELETE, 'DELETE', () => `/sandboxes/${sb}/files${q}`],
  ['GET files/content', content.GET, 'GET', () => `/sandboxes/${sb}/files/content${q}`],
  ['POST files/mkdir', mkdir.POST, 'POST', () => `/sandboxes/${sb}/files/mkdir`, { path: '/home/user/x' }],
  ['POST snapshots', sbSnaps.POST, 'POST', () => `/sandboxes/${sb}/snapshots`, {}],
  ['GET snapshots of sandbox', sbSnaps.GET, 'GET', () => `/sandboxes/${sb}/snapshots`],
  ['POST ports', ports.POST, 'POST', () => `/sandboxes/${sb}/ports`, { port: 9000 }],
  ['GET ports', ports.GET, 'GET', () => `/sandboxes/${sb}/ports`],
];

describe('tenancy: org A never reaches org B’s sandboxes, snapshots or ports', () => {
  for (const [name, route, method, path, body] of cases) {
    it(`${name} with B’s sandbox id is a 404`, async () => {
      const res = await api(route, method, path(), { key: A.owner, body, params: { id: sb } });
      expect(res.status).toBe(404);
      expect(res.json.error.code).toBe('not_found');
    });
  }

  it('PUT files/content, PATCH and DELETE ports/:port are 404s', async () => {
    const put = await api(content.PUT, 'PUT', `/sandboxes/${sb}/files/content${q}`, { key: A.owner, raw: 'pwned', params: { id: sb } });
    expect(put.status).toBe(404);
    const patch = await api(port.PATCH, 'PATCH', `/sandboxes/${sb}/ports/8080`, { key: A.owner, body: { public: true }, params: { id: sb, port: '8080' } });
    expect(patch.status).toBe(404);
    const del = await api(port.DELETE, 'DELETE', `/sandboxes/${sb}/ports/8080`, { key: A.owner, params: { id: sb, port: '8080' } });
    expect(del.status).toBe(404);
  });

  it('snapshot routes with B’s snapshot id are 404s, and forking from it too', async () => {
    const p = { key: A.owner, params: { id: sn } };
    expect((await api(snap.GET, 'GET', `/snapshots/${sn}`, p)).status).toBe(404);
    expect((await api(snap.DELETE, 'DELETE', `/snapshots/${sn}`, p)).status).toBe(404);
    expect((await api(snapFiles.GET, 'GET', `/snapshots/${sn}/files?path=/home/user`, p)).status).toBe(404);
    expect((await api(snapContent.GET, 'GET', `/snapshots/${sn}/files/content${q}`, p)).status).toBe(404);
    expect((await api(list.POST, 'POST', '/sandboxes', { key: A.owner, body: { snapshotId: sn } })).status).toBe(404);
  });

  it('lists show only the caller’s org, and B’s things are untouched', async () => {
    expect((await api(list.GET, 'GET', '/sandboxes', { key: A.owner })).json.sandboxes).toEqual([]);
    expect((await api(list.GET, 'GET', '/sandboxes?metadata=owner:b', { key: A.owner })).json.sandboxes).toEqual([]);
    expect((await api(snaps.GET, 'GET', '/snapshots', { key: A.owner })).json.snapshots).toEqual([]);
    const got = await api(one.GET, 'GET', `/sandboxes/${sb}`, { key: B.viewer, params: { id: sb } });
    expect(got.json.state).toBe('running');
    const file = await api(content.GET, 'GET', `/sandboxes/${sb}/files/content${q}`, { key: B.viewer, params: { id: sb } });
    expect(await file.res.text()).toBe('secret\n');
    const bp = await api(ports.GET, 'GET', `/sandboxes/${sb}/ports`, { key: B.viewer, params: { id: sb } });
    expect(bp.json.ports).toEqual([expect.objectContaining({ port: 8080, public: false })]);
    expect((await api(snap.GET, 'GET', `/snapshots/${sn}`, { key: B.viewer, params: { id: sn } })).status).toBe(200);
    const log = await api(execLog.GET, 'GET', `/sandboxes/${sb}/exec-log`, { key: B.viewer, params: { id: sb } });
    expect(log.json.entries.map((e: { cmd: string }) => e.cmd)).not.toContain('bash -c rm -rf /home/user');
  });

  it('viewers of B cannot act on B’s sandbox (403), before any lookup', async () => {
    for (const [name, route, method, path, body] of cases.filter(([, , m]) => m !== 'GET')) {
      const res = await api(route, method, path(), { key: B.viewer, body, params: { id: sb } });
      expect(res.status, name).toBe(403);
    }
  });
});

describe('the sandbox memo (lib/sandboxes/sandbox-row-memo.ts) behind exec', () => {
  const exec = (id: string, key: string) => api(execRoute.POST, 'POST', `/sandboxes/${id}/exec`, { key, body: { cmd: 'echo hi' }, params: { id } });

  it('never outlives a delete, and A still gets a 404 for B’s sandbox its memo holds', async () => {
    const id = (await api(list.POST, 'POST', '/sandboxes', { key: A.developer, body: {} })).json.id;
    expect((await exec(id, A.developer)).json.stdout).toBe('hi\n');
    expect((await exec(id, A.developer)).json.stdout).toBe('hi\n'); // memoised now
    expect((await exec(sb, B.developer)).status).toBe(200); // B's is memoised too
    expect((await exec(sb, A.owner)).status).toBe(404);
    expect((await api(one.DELETE, 'DELETE', `/sandboxes/${id}`, { key: A.admin, params: { id } })).status).toBe(200);
    const gone = await exec(id, A.developer);
    expect(gone.status).toBe(404);
  });

  it('a create remembers its new sandbox for its first exec, for its own org only', async () => {
    const id = (await api(list.POST, 'POST', '/sandboxes', { key: A.developer, body: {} })).json.id;
    expect(recallSandboxRow(A.scope.orgId, id)).toMatchObject({ id, orgId: A.scope.orgId, state: 'running' });
    expect(recallSandboxRow(B.scope.orgId, id)).toBeUndefined();
    expect((await exec(id, B.developer)).status).toBe(404);
    expect((await exec(id, A.developer)).json.stdout).toBe('hi\n');
    expect((await api(one.DELETE, 'DELETE', `/sandboxes/${id}`, { key: A.admin, params: { id } })).status).toBe(200);
    expect(recallSandboxRow(A.scope.orgId, id)).toBeUndefined();
  });

  it('a memoised sandbox its runner no longer has is read again: the usual lost-by-runner answer, not a blind retry', async () => {
    const id = (await api(list.POST, 'POST', '/sandboxes', { key: A.developer, body: {} })).json.id;
    expect((await exec(id, A.developer)).status).toBe(200);
    await runner.client.delete(id); // behind the console's back
    const res = await exec(id, A.developer);
    expect(res.status).toBe(409);
    expect(res.json.error.message).toMatch(/lost by runner/);
    expect((await api(one.GET, 'GET', `/sandboxes/${id}`, { key: A.viewer, params: { id } })).json).toMatchObject({ state: 'error', reason: 'lost by runner' });
  });

  it('a call holding a row that was deleted meanwhile (a memo, or a read just before) is a 404, and the deleted row is not marked lost', async () => {
    const id = (await api(list.POST, 'POST', '/sandboxes', { key: A.developer, body: {} })).json.id;
    const held = await ownedSandbox(A.scope, id);
    expect((await api(one.DELETE, 'DELETE', `/sandboxes/${id}`, { key: A.admin, params: { id } })).status).toBe(200);
    await expect(onRunner(held, (c) => c.processes.list(id))).rejects.toMatchObject({ code: 'not_found' });
    const db = await getDb();
    const [row] = await db.select().from(schema.sandboxes).where(eq(schema.sandboxes.id, id));
    expect(row).toMatchObject({ state: 'deleted' });
    expect(row!.reason).not.toBe('lost by runner');
  });
});
