import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as drain from '@/app/api/admin/runners/[id]/drain/route';
import * as undrain from '@/app/api/admin/runners/[id]/undrain/route';
import * as runnersRoute from '@/app/api/admin/runners/route';
import * as sandboxOne from '@/app/api/admin/sandboxes/[id]/route';
import * as sandboxStop from '@/app/api/admin/sandboxes/[id]/stop/route';
import * as sandboxesRoute from '@/app/api/admin/sandboxes/route';
import * as execRoute from '@/app/api/v1/sandboxes/[id]/exec/route';
import * as list from '@/app/api/v1/sandboxes/route';
import { getDb, schema } from '@/db';
import type { UserScope } from '@/lib/auth/scope';
import { chooseRunner, pickRunner } from '@/lib/runners/placement';
import { listRunners, recordRunnerHealth } from '@/lib/runners/registry';
import { encryptToken } from '@/lib/runners/token-crypto';
import type { RunnerHandle } from '../runner/harness';
import { adminCall, auditOf } from './helpers/admin';
import { makePlatformAdmin } from './helpers/billing';
import { uniq } from './helpers/fixtures';
import { api, makeTestOrg, type TestOrg, teardown, useRunner } from './sandboxes-fixture';

/**
 * Runners and sandboxes across orgs, as platform admins see them. Draining stops placement on a
 * runner and nothing else: a sandbox already there keeps running and answering, and the admin
 * stops and deletes it through the org's own services, audited in the org's log.
 *
 * Other test files share the runners table, so the runners made here report 1 MiB of memory:
 * no real sandbox ever fits on them (placement needs 4× a sandbox's memory of room), while the
 * tiny sandbox asked of chooseRunner below does.
 */
let runner: RunnerHandle;
let admin: UserScope;
let o: TestOrg;
const TINY_CAP = { sandboxes: 0, maxSandboxes: 10, cpuCommitted: 0, cpuTotal: 2, memoryMbCommitted: 0, memoryMbTotal: 1 };
const tiny = { cpu: 0.1, memoryMb: 1 };
const ids = { a: `drain-a-${uniq()}`, b: `drain-b-${uniq()}`, alias: `alias-${uniq()}` };

beforeAll(async () => {
  [runner, admin, o] = await Promise.all([useRunner(), makePlatformAdmin(), makeTestOrg()]);
  const db = await getDb();
  await db.insert(schema.runners).values([
    { id: ids.a, name: 'A', url: 'http://127.0.0.1:9', tokenCiphertext: encryptToken('runner-a-token-000000'), capacity: TINY_CAP, heartbeatAt: new Date() },
    { id: ids.b, name: 'B', url: 'http://127.0.0.1:9', tokenCiphertext: encryptToken('runner-b-token-000000'), capacity: TINY_CAP, heartbeatAt: new Date() },
    // This file's real runner under a second name, draining from the start.
    { id: ids.alias, name: 'Alias', url: runner.client.url, tokenCiphertext: encryptToken(runner.token), capacity: TINY_CAP, state: 'draining' },
  ]);
});
afterAll(async () => {
  await (await getDb()).delete(schema.runners).where(inArray(schema.runners.id, Object.values(ids)));
  await teardown(runner);
});

const mine = async () => (await listRunners()).filter((r) => r.id === ids.a || r.id === ids.b);
const act = (route: typeof drain.POST, id: string, what: string) => adminCall(admin, route, 'POST', `/api/admin/runners/${id}/${what}`, { id });

describe('draining a runner', () => {
  it('stops placement there; health reports do not undo it; undraining restores it; audited', async () => {
    expect(chooseRunner(await mine(), tiny).id).toMatch(/^drain-/);
    const drained = await act(drain.POST, ids.a, 'drain');
    expect(drained).toMatchObject({ status: 200, json: { runner: { id: ids.a, state: 'draining' } } });
    expect((await auditOf('runner.drain', ids.a))[0]).toMatchObject({ actorId: admin.userId, orgId: null });
    expect((await act(drain.POST, ids.a, 'drain')).status).toBe(409);
    for (let i = 0; i < 5; i++) expect(chooseRunner(await mine(), tiny).id).toBe(ids.b);
    await expect(pickRunner(tiny, ids.a)).rejects.toMatchObject({ code: 'conflict' }); // a fork of a snapshot there

    // The reconciler's reports keep its heartbeat and capacity current, not its state.
    const before = (await mine()).find((r) => r.id === ids.a)!.heartbeatAt!;
    await recordRunnerHealth(ids.a, true, { ...TINY_CAP, sandboxes: 3 });
    await recordRunnerHealth(ids.a, false);
    const a = (await mine()).find((r) => r.id === ids.a)!;
    expect(a).toMatchObject({ state: 'draining', capacity: { sandboxes: 3 } });
    expect(a.heartbeatAt!.getTime()).toBeGreaterThanOrEqual(before.getTime());

    await act(drain.POST, ids.b, 'drain');
    const both = await mine();
    expect(() => chooseRunner(both, tiny)).toThrow(/draining/);

    const back = await act(undrain.POST, ids.a, 'undrain');
    expect(back).toMatchObject({ status: 200, json: { runner: { state: 'ready' } } });
    expect(chooseRunner(await mine(), tiny).id).toBe(ids.a);
    expect((await act(undrain.POST, ids.a, 'undrain')).status).toBe(409);
    expect((await auditOf('runner.undrain', ids.a))[0]).toMatchObject({ actorId: admin.userId });
    await act(drain.POST, ids.a, 'drain'); // out of everyone's way again
  });
});

describe('a sandbox on a draining runner, and the admin’s sandbox actions', () => {
  it('keeps running and answering; the admin lists, stops and deletes it through the org’s services, audited', async () => {
    const created = await api(list.POST, 'POST', '/sandboxes', { key: o.developer, body: { timeoutSec: 600 } });
    expect(created.status).toBe(201);
    const id = created.json.id as string;
    const db = await getDb();
    await db.update(schema.sandboxes).set({ runnerId: ids.alias }).where(eq(schema.sandboxes.id, id));

    const ran = await api(execRoute.POST, 'POST', '', { key: o.developer, body: { cmd: ['echo', 'still here'] }, params: { id } });
    expect(ran).toMatchObject({ status: 200, json: { exitCode: 0, stdout: 'still here\n' } });
    const runners = await adminCall(admin, runnersRoute.GET, 'GET', '/api/admin/runners');
    expect(runners.json.runners.find((r: { id: string }) => r.id === ids.alias)).toMatchObject({ state: 'draining', sandboxes: { running: 1 } });
    expect(JSON.stringify(runners.json)).not.toContain(runner.token);

    const listed = await adminCall(admin, sandboxesRoute.GET, 'GET', `/api/admin/sandboxes?org=${o.scope.orgSlug}&runner=${ids.alias}&state=running`);
    expect(listed.json.sandboxes).toEqual([expect.objectContaining({ id, state: 'running', runnerId: ids.alias, org: expect.objectContaining({ slug: o.scope.orgSlug }), costMicros: expect.any(Number) })]);
    expect((await adminCall(admin, sandboxesRoute.GET, 'GET', `/api/admin/sandboxes?org=${o.scope.orgId}&state=stopped`)).json.sandboxes).toEqual([]);

    const stopped = await adminCall(admin, sandboxStop.POST, 'POST', `/api/admin/sandboxes/${id}/stop`, { id });
    expect(stopped).toMatchObject({ status: 200, json: { id, state: 'stopped' } });
    expect((await runner.client.get(id)).state).toBe('stopped');
    expect((await adminCall(admin, sandboxStop.POST, 'POST', `/api/admin/sandboxes/${id}/stop`, { id })).status).toBe(409);
    const [stopEvent] = await auditOf('sandbox.stop', id);
    expect(stopEvent).toMatchObject({ orgId: o.scope.orgId, actorId: admin.userId, actorLabel: `${admin.email} (platform admin)` });

    const deleted = await adminCall(admin, sandboxOne.DELETE, 'DELETE', `/api/admin/sandboxes/${id}`, { id });
    expect(deleted).toMatchObject({ status: 200, json: { ok: true } });
    await expect(runner.client.get(id)).rejects.toBeTruthy();
    const [row] = await db.select().from(schema.sandboxes).where(and(eq(schema.sandboxes.id, id)));
    expect(row!.deletedAt).not.toBeNull();
    expect((await auditOf('sandbox.delete', id))[0]).toMatchObject({ orgId: o.scope.orgId, actorLabel: `${admin.email} (platform admin)` });
    expect((await adminCall(admin, sandboxOne.DELETE, 'DELETE', `/api/admin/sandboxes/${id}`, { id })).status).toBe(404);
  });

  it('refuses bad filters with a 400', async () => {
    for (const bad of ['state=deleted', 'state=bogus', 'org=NOT!', 'runner=Bad_Runner', 'limit=0', 'cursor=bm9wZQ', 'zzz=1']) {
      expect((await adminCall(admin, sandboxesRoute.GET, 'GET', `/api/admin/sandboxes?${bad}`)).status, bad).toBe(400);
    }
  });
});
