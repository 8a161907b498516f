import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as one from '@/app/api/v1/sandboxes/[id]/route';
import * as execRoute from '@/app/api/v1/sandboxes/[id]/exec/route';
import * as sbSnaps from '@/app/api/v1/sandboxes/[id]/snapshots/route';
import * as ports from '@/app/api/v1/sandboxes/[id]/ports/route';
import * as port from '@/app/api/v1/sandboxes/[id]/ports/[port]/route';
import * as list from '@/app/api/v1/sandboxes/route';
import * as snaps from '@/app/api/v1/snapshots/route';
import * as snap from '@/app/api/v1/snapshots/[id]/route';
import * as snapFiles from '@/app/api/v1/snapshots/[id]/files/route';
import * as snapContent from '@/app/api/v1/snapshots/[id]/files/content/route';
import { and, eq } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import { auditTrailOf } from './helpers/admin';
import { deleteOrgSandboxes } from '@/lib/sandboxes/org-cleanup';
import { reconcileSandboxes } from '@/lib/sandboxes/reconcile';
import { findPreviewTarget } from '@/lib/sandboxes/ports';
import type { RunnerHandle } from '../runner/harness';
import { api, makeTestOrg, type TestOrg, teardown, useRunner } from './sandboxes-fixture';

let runner: RunnerHandle;
let A: TestOrg;
let id: string;
let snapId: string;
let forkId: string;
beforeAll(async () => {
  [runner, A] = await Promise.all([useRunner(), makeTestOrg()]);
  id = (await api(list.POST, 'POST', '/sandboxes', { key: A.developer, body: {} })).json.id;
});
afterAll(() => teardown(runner));

const exec = (sandbox: string, cmd: string) => api(execRoute.POST, 'POST', `/sandboxes/${sandbox}/exec`, { key: A.developer, body: { cmd }, params: { id: sandbox } });

describe('snapshots and forks through /api/v1', () => {
  it('snapshots a sandbox and lists it', async () => {
    await exec(id, 'echo from-parent > /home/user/note.txt');
    const res = await api(sbSnaps.POST, 'POST', `/sandboxes/${id}/snapshots`, { key: A.developer, body: { name: 'first' }, params: { id } });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ name: 'first', sandboxId: id, sizeBytes: expect.any(Number) });
    snapId = res.json.id;
    const mine = await api(sbSnaps.GET, 'GET', `/sandboxes/${id}/snapshots`, { key: A.viewer, params: { id } });
    expect(mine.json.snapshots.map((s: { id: string }) => s.id)).toEqual([snapId]);
    const all = await api(snaps.GET, 'GET', '/snapshots', { key: A.viewer });
    expect(all.json.snapshots.map((s: { id: string }) => s.id)).toContain(snapId);
  });

  it('browses and reads snapshot files without a sandbox', async () => {
    const ls = await api(snapFiles.GET, 'GET', `/snapshots/${snapId}/files?path=/home/user`, { key: A.viewer, params: { id: snapId } });
    expect(ls.status).toBe(200);
    expect(ls.json.entries.map((e: { name: string }) => e.name)).toContain('note.txt');
    const file = await api(snapContent.GET, 'GET', `/snapshots/${snapId}/files/content?path=/home/user/note.txt`, { key: A.viewer, params: { id: snapId } });
    expect(await file.res.text()).toBe('from-parent\n');
    const bad = await api(snapFiles.GET, 'GET', `/snapshots/${snapId}/files?path=relative`, { key: A.viewer, params: { id: snapId } });
    expect(bad.status).toBe(400);
  });

  it('forks from the snapshot; the fork sees the file, changes stay in the fork', async () => {
    const fork = await api(list.POST, 'POST', '/sandboxes', { key: A.developer, body: { snapshotId: snapId } });
    expect(fork.status).toBe(201);
    expect(fork.json.snapshotId).toBe(snapId);
    forkId = fork.json.id;
    expect((await exec(forkId, 'cat /home/user/note.txt')).json.stdout).toBe('from-parent\n');
    await exec(forkId, 'echo changed > /home/user/note.txt');
    expect((await exec(id, 'cat /home/user/note.txt')).json.stdout).toBe('from-parent\n');
    const got = await api(snap.GET, 'GET', `/snapshots/${snapId}`, { key: A.viewer, params: { id: snapId } });
    expect(got.json.usedBy).toEqual([forkId]);
  });

  it('an unknown snapshot id on create is a 404', async () => {
    const res = await api(list.POST, 'POST', '/sandboxes', { key: A.developer, body: { snapshotId: 'nosuchsnapshot000000' } });
    expect(res.status).toBe(404);
  });

  it('refuses to delete a snapshot a fork uses (409), deletes it once the fork is gone', async () => {
    const busy = await api(snap.DELETE, 'DELETE', `/snapshots/${snapId}`, { key: A.admin, params: { id: snapId } });
    expect(busy.status).toBe(409);
    expect((await api(snap.DELETE, 'DELETE', `/snapshots/${snapId}`, { key: A.developer, params: { id: snapId } })).status).toBe(403);
    await api(one.DELETE, 'DELETE', `/sandboxes/${forkId}`, { key: A.admin, params: { id: forkId } });
    const ok = await api(snap.DELETE, 'DELETE', `/snapshots/${snapId}`, { key: A.admin, params: { id: snapId } });
    expect(ok.status).toBe(200);
    expect((await api(snap.GET, 'GET', `/snapshots/${snapId}`, { key: A.viewer, params: { id: snapId } })).status).toBe(404);
    expect(await runner.client.snapshots.list()).toEqual([]);
  });
});

describe('ports through /api/v1', () => {
  it('exposes a port with its preview URL, lists, toggles public, unexposes', async () => {
    const res = await api(ports.POST, 'POST', `/sandboxes/${id}/ports`, { key: A.developer, body: { port: 8000 }, params: { id } });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ port: 8000, public: false, url: expect.stringMatching(new RegExp(`^http://8000-${id}\\.preview\\.localhost(:\\d+)?$`)) });
    expect(await findPreviewTarget(id, 8000)).toMatchObject({ orgId: A.scope.orgId, public: false });
    const pub = await api(port.PATCH, 'PATCH', `/sandboxes/${id}/ports/8000`, { key: A.developer, body: { public: true }, params: { id, port: '8000' } });
    expect(pub.json.public).toBe(true);
    const ls = await api(ports.GET, 'GET', `/sandboxes/${id}/ports`, { key: A.viewer, params: { id } });
    expect(ls.json.ports).toEqual([expect.objectContaining({ port: 8000, public: true })]);
    expect((await api(port.DELETE, 'DELETE', `/sandboxes/${id}/ports/8000`, { key: A.developer, params: { id, port: '8000' } })).status).toBe(200);
    expect((await api(port.DELETE, 'DELETE', `/sandboxes/${id}/ports/8000`, { key: A.developer, params: { id, port: '8000' } })).status).toBe(404);
    expect(await findPreviewTarget(id, 8000)).toBeNull();
  });

  it('refuses ports out of range with 400', async () => {
    for (const bad of [0, 65536, -1, 80.5, '80']) {
      const res = await api(ports.POST, 'POST', `/sandboxes/${id}/ports`, { key: A.developer, body: { port: bad }, params: { id } });
      expect(res.status, String(bad)).toBe(400);
    }
    const path = await api(port.DELETE, 'DELETE', `/sandboxes/${id}/ports/70000`, { key: A.developer, params: { id, port: '70000' } });
    expect(path.status).toBe(400);
    expect((await api(ports.POST, 'POST', `/sandboxes/${id}/ports`, { key: A.viewer, body: { port: 3000 }, params: { id } })).status).toBe(403);
  });
});

describe('snapshots the reconciler brings in line', () => {
  it('adopts a layer whose row was never written, in its sandbox’s org only, with an audit entry', async () => {
    // The runner made it and the console died before the row: what a kill -9 leaves.
    const layer = await runner.client.snapshots.create(id, 'lost answer', `adopt${Date.now().toString(36)}`);
    const B = await makeTestOrg();
    await reconcileSandboxes({ orgId: B.scope.orgId });
    expect((await api(snaps.GET, 'GET', '/snapshots', { key: B.viewer })).json.snapshots).toEqual([]);
    expect((await api(snap.GET, 'GET', `/snapshots/${layer.id}`, { key: A.viewer, params: { id: layer.id } })).status).toBe(404);

    await reconcileSandboxes({ orgId: A.scope.orgId });
    const got = await api(snap.GET, 'GET', `/snapshots/${layer.id}`, { key: A.viewer, params: { id: layer.id } });
    expect(got.status).toBe(200);
    expect(got.json).toMatchObject({ id: layer.id, name: 'lost answer', sandboxId: id, sizeBytes: layer.sizeBytes });
    expect((await api(snap.GET, 'GET', `/snapshots/${layer.id}`, { key: B.viewer, params: { id: layer.id } })).status).toBe(404);
    const db = await getDb();
    const audit = await db
      .select({ orgId: schema.auditEvents.orgId, actorType: schema.auditEvents.actorType })
      .from(schema.auditEvents)
      .where(and(eq(schema.auditEvents.action, 'snapshot.create'), eq(schema.auditEvents.targetId, layer.id)));
    expect(audit).toEqual([{ orgId: A.scope.orgId, actorType: 'system' }]);

    // A second pass adopts nothing more.
    const again = await reconcileSandboxes({ orgId: A.scope.orgId });
    expect(again.map((r) => r.snapshotsAdopted)).not.toContain(1);
  });

  it('a delete the runner cannot be reached for changes nothing: the snapshot is still there, and deleting it later works', async () => {
    const s = (await api(sbSnaps.POST, 'POST', `/sandboxes/${id}/snapshots`, { key: A.developer, body: { name: 'kept' }, params: { id } })).json.id;
    await runner.stop();
    try {
      const res = await api(snap.DELETE, 'DELETE', `/snapshots/${s}`, { key: A.admin, params: { id: s } });
      expect(res.status).toBe(503);
      expect((await api(snap.GET, 'GET', `/snapshots/${s}`, { key: A.viewer, params: { id: s } })).json).toMatchObject({ id: s, name: 'kept' });
    } finally {
      await runner.restart();
    }
    const trail = async () => (await snapshotAudit(s)).map((e) => [e.action, e.data?.code ?? null]);
    // The delete is audited with its mark, and its failure after it: the log says it was kept.
    expect(await trail()).toEqual([
      ['snapshot.delete', null],
      ['snapshot.delete_failed', 'runner_unavailable'],
    ]);
    expect((await api(snap.DELETE, 'DELETE', `/snapshots/${s}`, { key: A.admin, params: { id: s } })).status).toBe(200);
    expect((await trail()).at(-1)).toEqual(['snapshot.delete', null]);
    expect((await runner.client.snapshots.list()).map((l) => l.id)).not.toContain(s);
    // A delete cut short after its row (the console died before the runner's delete) is
    // finished by the reconciler: the next test.
  });

  it('frees a layer whose row is deleted (a delete cut short, or an org deleted while its runner could not be reached)', async () => {
    const s = (await api(sbSnaps.POST, 'POST', `/sandboxes/${id}/snapshots`, { key: A.developer, body: { name: 'half' }, params: { id } })).json.id;
    const db = await getDb();
    await db.update(schema.snapshots).set({ deletedAt: new Date() }).where(eq(schema.snapshots.id, s));
    expect((await runner.client.snapshots.list()).map((l) => l.id)).toContain(s);
    await reconcileSandboxes({ orgId: A.scope.orgId });
    expect((await runner.client.snapshots.list()).map((l) => l.id)).not.toContain(s);
  });
});

describe('org deletion clean-up', () => {
  it('deleteOrgSandboxes removes the org’s sandboxes, forks and snapshots from the runner', async () => {
    const s = (await api(sbSnaps.POST, 'POST', `/sandboxes/${id}/snapshots`, { key: A.developer, body: {}, params: { id } })).json.id;
    const fork = await api(list.POST, 'POST', '/sandboxes', { key: A.developer, body: { snapshotId: s } });
    expect(fork.status).toBe(201);
    expect(await deleteOrgSandboxes(A.scope.orgId)).toEqual({ deleted: 2, failed: [] });
    expect(await runner.client.list()).toEqual([]);
    expect(await runner.client.snapshots.list()).toEqual([]);
    expect((await api(list.GET, 'GET', '/sandboxes', { key: A.viewer })).json.sandboxes).toEqual([]);
  });
});

async function snapshotAudit(id: string) {
  const rows = await auditTrailOf('snapshot', id);
  return rows.filter((r) => r.action.startsWith('snapshot.delete')) as Array<{ action: string; data: Record<string, unknown> | null }>;
}
