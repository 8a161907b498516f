import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as one from '@/app/api/v1/sandboxes/[id]/route';
import * as execRoute from '@/app/api/v1/sandboxes/[id]/exec/route';
import * as start from '@/app/api/v1/sandboxes/[id]/start/route';
import * as stop from '@/app/api/v1/sandboxes/[id]/stop/route';
import * as list from '@/app/api/v1/sandboxes/route';
import { getDb, schema } from '@/db';
import { auditTrailOf } from './helpers/admin';
import { setOrgLimits } from '@/lib/sandboxes/limits';
import { reconcileSandboxes } from '@/lib/sandboxes/reconcile';
import type { RunnerHandle } from '../runner/harness';
import { api, makeTestOrg, type TestOrg, teardown, useRunner } from './sandboxes-fixture';

let runner: RunnerHandle;
let A: TestOrg;
beforeAll(async () => {
  [runner, A] = await Promise.all([useRunner(), makeTestOrg()]);
  await setOrgLimits(A.scope.orgId, { maxSandboxes: 3, maxCpu: 2, maxMemoryMb: 1024, maxTimeoutSec: 3600 });
});
afterAll(() => teardown(runner));

const create = (body: object = {}) => api(list.POST, 'POST', '/sandboxes', { key: A.developer, body });

describe('per-org limits', () => {
  it('N+1 concurrent creates at a limit of N: exactly N succeed, the rest get 429', async () => {
    const results = await Promise.all(Array.from({ length: 5 }, () => create()));
    const ok = results.filter((r) => r.status === 201);
    const refused = results.filter((r) => r.status === 429);
    expect(ok).toHaveLength(3);
    expect(refused).toHaveLength(2);
    expect(refused[0]!.json.error).toMatchObject({ code: 'quota_exceeded', message: expect.stringMatching(/limit of 3 concurrent sandboxes/) });
    expect((await runner.client.list()).length).toBe(3);
  });

  it('a stopped sandbox frees its slot, and starting it again needs one', async () => {
    const { json } = await api(list.GET, 'GET', '/sandboxes', { key: A.viewer });
    const victim = json.sandboxes[0].id as string;
    expect((await api(stop.POST, 'POST', `/sandboxes/${victim}/stop`, { key: A.developer, params: { id: victim } })).status).toBe(200);
    const fourth = await create();
    expect(fourth.status).toBe(201);
    const again = await api(start.POST, 'POST', `/sandboxes/${victim}/start`, { key: A.developer, params: { id: victim } });
    expect(again.status).toBe(429);
    const row = await api(one.GET, 'GET', `/sandboxes/${victim}`, { key: A.viewer, params: { id: victim } });
    expect(row.json.state).toBe('stopped');
  });

  it('per-sandbox maxima name the limit', async () => {
    const cases: [object, RegExp][] = [
      [{ cpu: 4 }, /cpu 4 is over your org's limit of 2/],
      [{ memoryMb: 2048 }, /memoryMb 2048 MB is over your org's limit of 1024 MB/],
      [{ timeoutSec: 7200 }, /maximum of 3600 seconds/],
    ];
    for (const [body, message] of cases) {
      const res = await create(body);
      expect(res.status).toBe(429);
      expect(res.json.error.message).toMatch(message);
    }
  });

  it('bad create bodies are 400s: unknown fields, wrong types, unknown template', async () => {
    const bodies: object[] = [{ cpus: 1 }, { cpu: 'one' }, { metadata: { 'bad key!': 'x' } }, { template: 'nope' }, { network: { mode: 'open' } }];
    // A lone surrogate is fine in a JS string but not in jsonb: it was a database error (500).
    bodies.push({ metadata: { team: 'lone \ud800' } }, { env: { A: '\udc00' } });
    for (const body of bodies) {
      const res = await create(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.error.code).toMatch(/validation_failed|bad_request/);
    }
  });
});

describe('numbers the database and the kernel can hold', () => {
  it('tiny, denormal, huge or over-precise cpu values are 400s and create nothing', async () => {
    const db = await getDb();
    const rows = async () => (await db.select().from(schema.sandboxes).where(eq(schema.sandboxes.orgId, A.scope.orgId))).length;
    const before = await rows();
    // With room to create: 1e-300 overflowed the `real` column (a 500) and 1e-40 made a sandbox
    // whose CPU quota rounded to 0, which runc takes as no limit at all.
    await setOrgLimits(A.scope.orgId, { maxSandboxes: 10 });
    try {
      for (const cpu of [1e-300, 5e-324, 1e-40, 0.0001, 0.005, 0.015, 1.234, -1, 0, 1e308]) {
        const res = await create({ cpu });
        expect(res.status, String(cpu)).toBe(400);
        expect(res.json.error).toMatchObject({ code: 'validation_failed', message: expect.stringMatching(/^cpu: /) });
      }
    } finally {
      await setOrgLimits(A.scope.orgId, { maxSandboxes: 3 });
    }
    expect(await rows()).toBe(before);
    // Valid values pass validation and meet the org's concurrency limit (all 3 slots are taken here).
    for (const cpu of [0.01, 0.25, 1.5]) expect((await create({ cpu })).status, String(cpu)).toBe(429);
  });
});

describe('runner outage', () => {
  it('answers 503 while the runner is down, loses nothing, and reconciles when it returns', async () => {
    const { json } = await api(list.GET, 'GET', '/sandboxes?state=running', { key: A.viewer });
    const id = json.sandboxes[0].id as string;
    const before = json.sandboxes.length as number;
    await runner.stop();
    try {
      const exec = await api(execRoute.POST, 'POST', `/sandboxes/${id}/exec`, { key: A.developer, body: { cmd: 'true' }, params: { id } });
      expect(exec.status).toBe(503);
      expect(exec.json.error).toMatchObject({ code: 'runner_unavailable', message: expect.stringMatching(/not reachable; try again shortly/) });
      const del = await api(one.DELETE, 'DELETE', `/sandboxes/${id}`, { key: A.admin, params: { id } });
      expect(del.status).toBe(503);
      // Audited with its intent, and its failure after it: the log says the sandbox was kept.
      const trail = await auditTrailOf('sandbox', id);
      expect(trail.filter((e) => e.action.startsWith('sandbox.delete'))).toEqual([
        { action: 'sandbox.delete', data: null },
        { action: 'sandbox.delete_failed', data: { code: 'runner_unavailable' } },
      ]);
      await setOrgLimits(A.scope.orgId, { maxSandboxes: 10 });
      const made = await create();
      expect(made.status).toBe(503);
      // Reads still work from the database, with the last known state.
      const got = await api(one.GET, 'GET', `/sandboxes/${id}`, { key: A.viewer, params: { id } });
      expect(got.json).toMatchObject({ id, state: 'running' });
      const still = await api(list.GET, 'GET', '/sandboxes?state=running', { key: A.viewer });
      expect(still.json.sandboxes).toHaveLength(before);
      const report = await reconcileSandboxes({ orgId: A.scope.orgId });
      expect(report.find((r) => r.runner === 'local')).toMatchObject({ reachable: false });
    } finally {
      await runner.restart();
    }
    await reconcileSandboxes({ orgId: A.scope.orgId });
    const exec = await api(execRoute.POST, 'POST', `/sandboxes/${id}/exec`, { key: A.developer, body: { cmd: 'echo alive' }, params: { id } });
    expect(exec.json.stdout).toBe('alive\n');
    // The failed create left no live row and nothing on the runner.
    const db = await getDb();
    const failed = await db.select().from(schema.sandboxes).where(and(eq(schema.sandboxes.orgId, A.scope.orgId), eq(schema.sandboxes.state, 'error')));
    expect(failed).toHaveLength(1);
    expect(failed[0]!.deletedAt).not.toBeNull();
    expect((await runner.client.list()).map((s) => s.id)).not.toContain(failed[0]!.id);
  });

  it('a sandbox that vanished from the runner is reported as lost, not silently dropped', async () => {
    const { json } = await api(list.GET, 'GET', '/sandboxes?state=running', { key: A.viewer });
    const id = json.sandboxes[0].id as string;
    await runner.client.delete(id);
    const report = await reconcileSandboxes({ orgId: A.scope.orgId });
    expect(report.find((r) => r.runner === 'local')).toMatchObject({ reachable: true, lost: 1 });
    const got = await api(one.GET, 'GET', `/sandboxes/${id}`, { key: A.viewer, params: { id } });
    expect(got.json).toMatchObject({ state: 'error', reason: 'lost by runner' });
    expect((await api(one.DELETE, 'DELETE', `/sandboxes/${id}`, { key: A.admin, params: { id } })).status).toBe(200);
  });

  it('a delete tried again while an earlier try’s intent stands keeps that intent and adds nothing to the audit log; the reconciler finishes it', async () => {
    const id = (await create()).json.id as string;
    const db = await getDb();
    await db.update(schema.sandboxes).set({ desiredState: 'deleted' }).where(eq(schema.sandboxes.id, id)); // an earlier try's, its console gone
    await runner.stop();
    try {
      expect((await api(one.DELETE, 'DELETE', `/sandboxes/${id}`, { key: A.admin, params: { id } })).status).toBe(503);
    } finally {
      await runner.restart();
    }
    const [row] = await db.select().from(schema.sandboxes).where(eq(schema.sandboxes.id, id));
    expect(row!.desiredState).toBe('deleted'); // that try may have begun on the runner
    expect((await auditTrailOf('sandbox', id)).filter((e) => e.action.startsWith('sandbox.delete'))).toEqual([]);
    await reconcileSandboxes({ orgId: A.scope.orgId });
    expect((await api(one.GET, 'GET', `/sandboxes/${id}`, { key: A.viewer, params: { id } })).status).toBe(404);
  });
});
