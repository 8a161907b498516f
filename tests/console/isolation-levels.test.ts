import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { and, count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as planById from '@/app/api/admin/plans/[id]/route';
import * as embedTerminal from '@/app/api/embed/[token]/terminal/route';
import * as quotasRoute from '@/app/api/v1/quotas/route';
import * as oneSandbox from '@/app/api/v1/sandboxes/[id]/route';
import * as sandboxSnapshots from '@/app/api/v1/sandboxes/[id]/snapshots/route';
import * as sandboxesRoute from '@/app/api/v1/sandboxes/route';
import * as sharesRoute from '@/app/api/v1/shares/route';
import * as oneTemplate from '@/app/api/v1/templates/[id]/route';
import * as templatesRoute from '@/app/api/v1/templates/route';
import * as usageRoute from '@/app/api/v1/usage/route';
import { getDb, schema } from '@/db';
import type { UserScope } from '@/lib/auth/scope';
import { e2bRestHttp } from '@/lib/e2b/rest';
import { recordRunnerHealth } from '@/lib/runners/registry';
import { buildsIdle } from '@/lib/templates/builds';
import { ingestRunner } from '@/lib/usage/ingest';
import type { RunnerHandle } from '../runner/harness';
import { busyboxLayer, type Registry, startRegistry } from '../runner/oci-fixture';
import { makePlatformAdmin, planFor } from './helpers/billing';
import { call, req } from './helpers/fixtures';
import { signInAs } from './helpers/session';
import { api, makeTestOrg, type TestOrg, teardown, useRunner } from './sandboxes-fixture';

/**
 * Isolation levels beyond the create body, against a real runner (runc and runsc): a template's
 * level is what its sandboxes get unless the create says otherwise; a plan may require gVisor
 * (a create naming no level gets it, one asking for container is a 403, nothing stored); demo
 * links and E2B creates carry a level; usage periods record it and the usage API groups by it;
 * a level no runner can run is a 400 before anything is stored. Unknown levels are 400s.
 */
let runner: RunnerHandle;
let A: TestOrg;
let G: TestOrg; // on a plan that requires gVisor
let admin: UserScope;
let reg: Registry;
let toolRef: string;
let gvisorTpl: string;
let e2bServer: http.Server;
let e2bBase: string;

beforeAll(async () => {
  [runner, A, G, admin, reg] = await Promise.all([useRunner(), makeTestOrg(), makeTestOrg(), makePlatformAdmin(), startRegistry()]);
  toolRef = reg.push('team/iso', { layers: [busyboxLayer()], config: { Env: ['PATH=/bin'] } });
  e2bServer = http.createServer((rq, rs) => {
    if (!e2bRestHttp(rq, rs)) rs.writeHead(404).end();
  });
  await new Promise<void>((r) => e2bServer.listen(0, '127.0.0.1', r));
  e2bBase = `http://127.0.0.1:${(e2bServer.address() as AddressInfo).port}/api/e2b`;
});
afterAll(async () => {
  await buildsIdle();
  await new Promise((r) => e2bServer?.close(r));
  await Promise.all([teardown(runner), reg?.stop()]);
});

const createSandbox = (org: TestOrg, body: object) => api(sandboxesRoute.POST, 'POST', '/sandboxes', { key: org.developer, body });
const deleteSandbox = (org: TestOrg, id: string) => api(oneSandbox.DELETE, 'DELETE', `/sandboxes/${id}`, { key: org.developer, params: { id } });
const createTemplate = (org: TestOrg, body: object) => api(templatesRoute.POST, 'POST', '/templates', { key: org.developer, body });
const patchTemplate = (org: TestOrg, id: string, body: object) => api(oneTemplate.PATCH, 'PATCH', `/templates/${id}`, { key: org.developer, params: { id }, body });
const getTemplate = (org: TestOrg, id: string) => api(oneTemplate.GET, 'GET', `/templates/${id}`, { key: org.developer, params: { id } });
const createShare = (org: TestOrg, body: object) => api(sharesRoute.POST, 'POST', '/shares', { key: org.developer, body });

/** Every sandbox row the org ever had (soft-deleted ones too): "nothing stored" means this stays put. */
async function sandboxRows(org: TestOrg): Promise<number> {
  const db = await getDb();
  const [r] = await db.select({ n: count() }).from(schema.sandboxes).where(eq(schema.sandboxes.orgId, org.scope.orgId));
  return r!.n;
}
async function templateRows(org: TestOrg): Promise<number> {
  const db = await getDb();
  const [r] = await db.select({ n: count() }).from(schema.templates).where(eq(schema.templates.orgId, org.scope.orgId));
  return r!.n;
}
async function shareRows(org: TestOrg): Promise<number> {
  const db = await getDb();
  const [r] = await db.select({ n: count() }).from(schema.terminalShares).where(eq(schema.terminalShares.orgId, org.scope.orgId));
  return r!.n;
}
async function e2b(key: string, body: object) {
  const res = await fetch(`${e2bBase}/sandboxes`, { method: 'POST', headers: { 'x-api-key': key, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}
const sandboxRow = async (id: string) => {
  const db = await getDb();
  const [row] = await db.select().from(schema.sandboxes).where(eq(schema.sandboxes.id, id));
  return row!;
};

describe('templates', () => {
  it('a template may set its isolation; its sandboxes get it unless the create says otherwise', async () => {
    const made = await createTemplate(A, { name: 'iso-gvisor', image: `${toolRef}:latest`, isolation: 'gvisor' });
    expect(made.status).toBe(201);
    expect(made.json.template.isolation).toBe('gvisor');
    gvisorTpl = made.json.template.id;
    await buildsIdle();
    expect((await getTemplate(A, gvisorTpl)).json.template).toMatchObject({ status: 'ready', isolation: 'gvisor' });

    const fromTpl = await createSandbox(A, { template: 'iso-gvisor', timeoutSec: 300 });
    expect(fromTpl.status).toBe(201);
    expect(fromTpl.json).toMatchObject({ isolation: 'gvisor', state: 'running' });
    // The runner really runs it under runsc: gVisor's kernel answers uname, not the host's.
    const { stdout } = await runner.client.exec(fromTpl.json.id, { cmd: ['/bin/sh', '-c', 'dmesg 2>/dev/null | head -1; uname -r'] });
    expect(stdout).toMatch(/gVisor|^4\.4\.0$/m);

    const overridden = await createSandbox(A, { template: 'iso-gvisor', isolation: 'container', timeoutSec: 300 });
    expect(overridden.json).toMatchObject({ isolation: 'container', state: 'running' });
    await Promise.all([deleteSandbox(A, fromTpl.json.id), deleteSandbox(A, overridden.json.id)]);
  });

  it('a template without a level leaves the org default; PATCH sets and clears it', async () => {
    const plain = await createTemplate(A, { name: 'iso-plain', image: `${toolRef}:latest` });
    expect(plain.json.template.isolation).toBeNull();
    const id = plain.json.template.id;
    expect((await patchTemplate(A, id, { isolation: 'gvisor' })).json.template.isolation).toBe('gvisor');
    expect((await patchTemplate(A, id, { isolation: null })).json.template.isolation).toBeNull();
    await buildsIdle();
    const sb = await createSandbox(A, { template: 'iso-plain', timeoutSec: 300 });
    expect(sb.json.isolation).toBe('container');
    await deleteSandbox(A, sb.json.id);
  });

  it('an unknown level is a 400 with a code, and nothing is stored or changed', async () => {
    const before = await templateRows(A);
    const bad = await createTemplate(A, { name: 'iso-bad', image: `${toolRef}:latest`, isolation: 'microvm' });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatchObject({ code: 'validation_failed', message: expect.stringContaining('isolation') });
    expect(await templateRows(A)).toBe(before);
    const patch = await patchTemplate(A, gvisorTpl, { isolation: 'kvm' });
    expect(patch.status).toBe(400);
    expect(patch.json.error.code).toBe('validation_failed');
    expect((await getTemplate(A, gvisorTpl)).json.template.isolation).toBe('gvisor');
    // Another org cannot see (or change) it.
    expect((await patchTemplate(G, gvisorTpl, { isolation: 'container' })).status).toBe(404);
  });
});

describe('forks', () => {
  it('a fork keeps the level of the sandbox its snapshot was taken of, unless the create says otherwise', async () => {
    const src = await createSandbox(A, { isolation: 'gvisor', timeoutSec: 300 });
    expect(src.json.isolation).toBe('gvisor');
    const snap = await api(sandboxSnapshots.POST, 'POST', `/sandboxes/${src.json.id}/snapshots`, { key: A.developer, body: {}, params: { id: src.json.id } });
    expect(snap.status).toBe(201);
    const fork = await createSandbox(A, { snapshotId: snap.json.id, timeoutSec: 300 });
    expect(fork.json).toMatchObject({ isolation: 'gvisor', state: 'running', snapshotId: snap.json.id });
    const asked = await createSandbox(A, { snapshotId: snap.json.id, isolation: 'container', timeoutSec: 300 });
    expect(asked.json).toMatchObject({ isolation: 'container', state: 'running' });
    for (const id of [fork.json.id, asked.json.id, src.json.id]) await deleteSandbox(A, id);
  });
});

describe('plans that require gVisor', () => {
  let planId: string;

  it('admins set requiredIsolation; anything but gvisor or null is a 400 that changes nothing', async () => {
    planId = await planFor(G.scope.orgId, {});
    signInAs(admin);
    try {
      const bad = await call(planById.PATCH, req('PATCH', `/api/admin/plans/${planId}`, { body: { requiredIsolation: 'container' } }), { id: planId });
      expect(bad.status).toBe(400);
      expect(bad.json.error.code).toBe('validation_failed');
      expect((await call(planById.GET, req('GET', `/api/admin/plans/${planId}`), { id: planId })).json.plan.requiredIsolation).toBeNull();
      const ok = await call(planById.PATCH, req('PATCH', `/api/admin/plans/${planId}`, { body: { requiredIsolation: 'gvisor' } }), { id: planId });
      expect(ok.status).toBe(200);
      expect(ok.json.plan.requiredIsolation).toBe('gvisor');
    } finally {
      signInAs(null);
    }
    const q = await api(quotasRoute.GET, 'GET', '/quotas', { key: G.viewer });
    expect(q.json.plan).toMatchObject({ id: planId, requiredIsolation: 'gvisor' });
  });

  it('a create naming no level gets gVisor; one asking for container is a 403 and stores nothing', async () => {
    const sb = await createSandbox(G, { timeoutSec: 300 });
    expect(sb.status).toBe(201);
    expect(sb.json.isolation).toBe('gvisor');
    await deleteSandbox(G, sb.json.id);

    const before = await sandboxRows(G);
    const refused = await createSandbox(G, { isolation: 'container' });
    expect(refused.status).toBe(403);
    expect(refused.json.error).toMatchObject({ code: 'isolation_required', message: expect.stringContaining('requires gVisor') });
    expect(await sandboxRows(G)).toBe(before);
  });

  it('a template that sets container is refused in such an org too; the create may still ask for gVisor', async () => {
    const tpl = await createTemplate(G, { name: 'iso-runc', image: `${toolRef}:latest`, isolation: 'container' });
    expect(tpl.status).toBe(201);
    await buildsIdle();
    const before = await sandboxRows(G);
    const refused = await createSandbox(G, { template: 'iso-runc' });
    expect(refused.status).toBe(403);
    expect(refused.json.error.code).toBe('isolation_required');
    expect(await sandboxRows(G)).toBe(before);
    const asked = await createSandbox(G, { template: 'iso-runc', isolation: 'gvisor', timeoutSec: 300 });
    expect(asked.json).toMatchObject({ isolation: 'gvisor', state: 'running' });
    await deleteSandbox(G, asked.json.id);
  });
});

describe('demo links', () => {
  const open = (token: string) =>
    call(embedTerminal.POST, new Request(`http://localhost/api/embed/${token}/terminal`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } }), { token });

  it('a demo link may set its visitors’ level, over its template’s', async () => {
    // iso-gvisor's sandboxes are gVisor; this link's are containers.
    const made = await createShare(A, { template: gvisorTpl, isolation: 'container', maxConcurrent: 2 });
    expect(made.status).toBe(201);
    expect(made.json.share.isolation).toBe('container');
    const opened = await open(made.json.url.split('/embed/')[1]);
    expect(opened.json).toMatchObject({ sandboxId: expect.any(String) });
    const row = await sandboxRow(opened.json.sandboxId);
    expect(row).toMatchObject({ isolation: 'container', template: gvisorTpl });
    await deleteSandbox(A, opened.json.sandboxId);
  });

  it('a gVisor demo link gives each visitor a gVisor sandbox (its own or its template’s level); bad levels are 400s and a level the plan forbids a 403, storing nothing', async () => {
    const beforeA = await shareRows(A);
    const unknown = await createShare(A, { template: 'default', isolation: 'firecracker' });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.code).toBe('validation_failed');
    expect(await shareRows(A)).toBe(beforeA);
    const gvisor = await createShare(A, { template: 'default', isolation: 'gvisor' });
    expect(gvisor.status).toBe(201);
    const opened = await open(gvisor.json.url.split('/embed/')[1]);
    expect(opened.json).toMatchObject({ sandboxId: expect.any(String) });
    expect(await sandboxRow(opened.json.sandboxId)).toMatchObject({ isolation: 'gvisor' });
    await deleteSandbox(A, opened.json.sandboxId);

    const beforeG = await shareRows(G);
    const forbidden = await createShare(G, { template: 'default', isolation: 'container' });
    expect(forbidden.status).toBe(403);
    expect(forbidden.json.error.code).toBe('isolation_required');
    expect(await shareRows(G)).toBe(beforeG);
  });

  it('a link whose template turns gVisor later gives its next visitors gVisor sandboxes', async () => {
    const made = await createShare(A, { template: 'iso-plain' });
    expect(made.status).toBe(201);
    const tplId = (await getTemplate(A, 'iso-plain')).json.template.id;
    await patchTemplate(A, tplId, { isolation: 'gvisor' });
    try {
      const opened = await open(made.json.url.split('/embed/')[1]);
      expect(opened.json).toMatchObject({ sandboxId: expect.any(String) });
      expect(await sandboxRow(opened.json.sandboxId)).toMatchObject({ isolation: 'gvisor', template: tplId });
      await deleteSandbox(A, opened.json.sandboxId);
    } finally {
      await patchTemplate(A, tplId, { isolation: null });
    }
  });
});

describe('E2B creates', () => {
  it('take the template’s level, or one in the warren_isolation metadata key (not stored as metadata)', async () => {
    const fromTpl = await e2b(A.developer, { templateID: 'iso-gvisor', timeout: 120 });
    expect(fromTpl.status).toBe(201);
    expect((await sandboxRow(fromTpl.json.sandboxID)).isolation).toBe('gvisor');

    const viaMeta = await e2b(A.developer, { timeout: 120, metadata: { warren_isolation: 'gvisor', team: 'ml' } });
    expect(viaMeta.status).toBe(201);
    const row = await sandboxRow(viaMeta.json.sandboxID);
    expect(row.isolation).toBe('gvisor');
    expect(row.metadata).toEqual({ team: 'ml' });

    const before = await sandboxRows(A);
    const bad = await e2b(A.developer, { metadata: { warren_isolation: 'vm' } });
    expect(bad.status).toBe(400);
    const other = await e2b(A.developer, { metadata: { warren_other: 'x' } });
    expect(other.status).toBe(400);
    expect(await sandboxRows(A)).toBe(before);
    await Promise.all([deleteSandbox(A, fromTpl.json.sandboxID), deleteSandbox(A, viaMeta.json.sandboxID)]);
  });
});

describe('usage per level', () => {
  it('usage periods record the sandbox’s level, and the usage API groups by it', async () => {
    const org = await makeTestOrg();
    const [gv, rc] = await Promise.all([createSandbox(org, { isolation: 'gvisor', timeoutSec: 300 }), createSandbox(org, { timeoutSec: 300 })]);
    expect([gv.status, rc.status]).toEqual([201, 201]);
    await new Promise((r) => setTimeout(r, 1500));
    await ingestRunner('local');
    const db = await getDb();
    const periods = await db
      .select({ sandboxId: schema.usagePeriods.sandboxId, isolation: schema.usagePeriods.isolation })
      .from(schema.usagePeriods)
      .where(and(eq(schema.usagePeriods.orgId, org.scope.orgId), eq(schema.usagePeriods.kind, 'compute')));
    expect(periods).toEqual(expect.arrayContaining([{ sandboxId: gv.json.id, isolation: 'gvisor' }, { sandboxId: rc.json.id, isolation: 'container' }]));

    const usage = await api(usageRoute.GET, 'GET', '/usage?groupBy=isolation', { key: org.viewer });
    expect(usage.status).toBe(200);
    const groups = usage.json.groups.map((g: { group: string }) => g.group).sort();
    expect(groups).toEqual(['container', 'gvisor']);
    expect(usage.json.groups.every((g: { vcpuHours: number }) => g.vcpuHours > 0)).toBe(true);
    const bad = await api(usageRoute.GET, 'GET', '/usage?groupBy=level', { key: org.viewer });
    expect(bad.status).toBe(400);
    await Promise.all([deleteSandbox(org, gv.json.id), deleteSandbox(org, rc.json.id)]);
  });
});

describe('a level no runner can run', () => {
  it('is a 400 isolation_unavailable before anything is stored, and quotas say why', async () => {
    const real = await runner.client.capacity();
    expect(real.isolation.gvisor.available).toBe(true); // runsc works on this machine (ptrace)
    await recordRunnerHealth('local', true, { ...real, isolation: { container: { available: true }, gvisor: { available: false, reason: 'runsc not found' } } });
    try {
      const q = await api(quotasRoute.GET, 'GET', '/quotas', { key: A.viewer });
      expect(q.json.isolation.gvisor).toEqual({ available: false, reason: 'runsc not found' });
      const before = await sandboxRows(A);
      const res = await createSandbox(A, { isolation: 'gvisor' });
      expect(res.status).toBe(400);
      expect(res.json.error).toMatchObject({ code: 'isolation_unavailable', message: expect.stringContaining('runsc not found') });
      expect(await sandboxRows(A)).toBe(before);
    } finally {
      await recordRunnerHealth('local', true, real);
    }
    const q = await api(quotasRoute.GET, 'GET', '/quotas', { key: A.viewer });
    expect(q.json.isolation.gvisor).toEqual({ available: true });
  });
});
