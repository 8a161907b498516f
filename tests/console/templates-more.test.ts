import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as publishRoute from '@/app/api/admin/templates/[id]/publish/route';
import * as auditRoute from '@/app/api/v1/audit/route';
import * as defaultTemplateRoute from '@/app/api/v1/org/default-template/route';
import * as execRoute from '@/app/api/v1/sandboxes/[id]/exec/route';
import * as oneSandbox from '@/app/api/v1/sandboxes/[id]/route';
import * as sandboxTemplate from '@/app/api/v1/sandboxes/[id]/template/route';
import * as sandboxes from '@/app/api/v1/sandboxes/route';
import * as oneSnapshot from '@/app/api/v1/snapshots/[id]/route';
import * as snapshotTemplate from '@/app/api/v1/snapshots/[id]/template/route';
import * as cancelRoute from '@/app/api/v1/templates/[id]/builds/[buildId]/cancel/route';
import * as oneBuild from '@/app/api/v1/templates/[id]/builds/[buildId]/route';
import * as oneTemplate from '@/app/api/v1/templates/[id]/route';
import * as templates from '@/app/api/v1/templates/route';
import { buildsIdle } from '@/lib/templates/builds';
import type { RunnerHandle } from '../runner/harness';
import { busyboxLayer, type Registry, startRegistry } from '../runner/oci-fixture';
import { makePlatformAdmin } from './helpers/billing';
import { ctx } from './helpers/fixtures';
import { sessionCookieFor } from './helpers/session';
import { api, makeTestOrg, type TestOrg, teardown, useRunner } from './sandboxes-fixture';

/**
 * The rest of templates through the console API, on a real runner and a registry on loopback:
 * cancelling a pull (skopeo is killed, nothing stored), a ready command that gates create, the
 * org's default template, a sandbox saved as a template, a template published to every org, and
 * a deleted template's image leaving the runner's disk.
 */
let runner: RunnerHandle;
let A: TestOrg;
let B: TestOrg;
let reg: Registry;
let toolRef: string;
let hang: net.Server;
let hangPort: number;

beforeAll(async () => {
  [runner, A, B, reg] = await Promise.all([useRunner(), makeTestOrg(), makeTestOrg(), startRegistry()]);
  toolRef = reg.push('team/tool', {
    layers: [busyboxLayer(), [{ type: 'dir', path: 'work/', uid: 1000, gid: 1000 }]],
    // The start command makes /tmp/ready a second after the sandbox starts.
    config: { Env: ['PATH=/bin', 'TOOL_MODE=image'], WorkingDir: '/work', Cmd: ['/bin/sh', '-c', 'sleep 1; touch /tmp/ready; exec sleep 600'] },
  });
  // A "registry" that accepts connections and never answers: a pull of it hangs until cancelled.
  hang = net.createServer(() => {});
  await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
  hangPort = (hang.address() as net.AddressInfo).port;
});
afterAll(async () => {
  await buildsIdle();
  hang?.close();
  await Promise.all([teardown(runner), reg?.stop()]);
});

const createTemplate = (org: TestOrg, body: object) => api(templates.POST, 'POST', '/templates', { key: org.developer, body });
const listTemplates = async (org: TestOrg) => (await api(templates.GET, 'GET', '/templates', { key: org.developer })).json.templates;
const getTemplate = (org: TestOrg, id: string) => api(oneTemplate.GET, 'GET', `/templates/${id}`, { key: org.developer, params: { id } });
const deleteTemplate = (org: TestOrg, id: string) => api(oneTemplate.DELETE, 'DELETE', `/templates/${id}`, { key: org.developer, params: { id } });
const getBuild = (org: TestOrg, id: string, buildId: string) =>
  api(oneBuild.GET, 'GET', `/templates/${id}/builds/${buildId}`, { key: org.developer, params: { id, buildId } });
const cancel = (org: TestOrg, id: string, buildId: string) =>
  api(cancelRoute.POST, 'POST', `/templates/${id}/builds/${buildId}/cancel`, { key: org.developer, params: { id, buildId } });
const createSandbox = (org: TestOrg, body: object) => api(sandboxes.POST, 'POST', '/sandboxes', { key: org.developer, body });
const deleteSandbox = (org: TestOrg, id: string) => api(oneSandbox.DELETE, 'DELETE', `/sandboxes/${id}`, { key: org.developer, params: { id } });
const exec = async (org: TestOrg, id: string, cmd: string) =>
  (await api(execRoute.POST, 'POST', `/sandboxes/${id}/exec`, { key: org.developer, params: { id }, body: { cmd: ['/bin/sh', '-c', cmd] } })).json;
const setDefault = (org: TestOrg, template: string | null, key = org.admin) => api(defaultTemplateRoute.PUT, 'PUT', '/org/default-template', { key, body: { template } });
const skopeoFor = (needle: string) => {
  const ps = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
  return ps.split('\n').filter((l) => l.includes('skopeo') && l.includes(needle));
};
async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

let toolId: string;

describe('build cancel', () => {
  it('stops a running pull promptly: skopeo is gone, the build is cancelled, nothing is stored', async () => {
    const ref = `127.0.0.1:${hangPort}/slow/app:1`;
    const created = await createTemplate(A, { name: 'slow', image: ref });
    expect(created.status).toBe(201);
    const { id } = created.json.template;
    const { buildId } = created.json;
    await until('skopeo to run', async () => skopeoFor(`${hangPort}/slow/app`).length > 0);
    expect((await getBuild(A, id, buildId)).json.build.status).toBe('running');

    expect((await cancel(B, id, buildId)).status).toBe(404); // another org's template
    const started = Date.now();
    const res = await cancel(A, id, buildId);
    expect(res.status).toBe(200);
    expect(res.json.build).toMatchObject({ status: 'cancelled', error: { code: 'cancelled' } });
    await until('skopeo to be killed', async () => skopeoFor(`${hangPort}/slow/app`).length === 0, 5_000);
    expect(Date.now() - started).toBeLessThan(5_000);
    await buildsIdle();
    const b = (await getBuild(A, id, buildId)).json.build;
    expect(b.status).toBe('cancelled'); // the pull's own failure did not overwrite it
    expect(b.log).toMatch(/cancel requested by/);
    expect((await getTemplate(A, id)).json.template).toMatchObject({ status: 'failed', currentBuild: null });
    // Nothing half-stored: no pull work dir and no unfinished layer on the runner.
    expect(fs.readdirSync(path.join(runner.dataDir, 'pulls'))).toEqual([]);
    expect(fs.readdirSync(path.join(runner.dataDir, 'layers')).filter((n) => n.includes('.tmp-'))).toEqual([]);
    // An ended build cannot be cancelled again.
    expect((await cancel(A, id, buildId)).status).toBe(409);
    expect((await deleteTemplate(A, id)).status).toBe(200);
  });
});

describe('ready command and start command', () => {
  it('create waits until the ready command passes; the start command runs in the background', async () => {
    const created = await createTemplate(A, { name: 'tool', image: `${toolRef}:latest`, startCommand: true, readyCommand: 'test -f /tmp/ready', readyTimeoutSec: 20 });
    toolId = created.json.template.id;
    await buildsIdle();
    expect((await getTemplate(A, toolId)).json.template).toMatchObject({ status: 'ready', readyCommand: 'test -f /tmp/ready', readyTimeoutSec: 20 });
    const sb = await createSandbox(A, { template: 'tool' });
    expect(sb.status).toBe(201);
    // The file the start command makes a second in is there the moment create answered.
    expect((await exec(A, sb.json.id, 'ls /tmp/ready && ps -o args | grep -c "sleep 600"')).stdout).toMatch(/^\/tmp\/ready\n[1-9]/);
    await deleteSandbox(A, sb.json.id);
  });

  it('a ready command that never passes fails the create with a clear error and leaves no sandbox', async () => {
    const created = await createTemplate(A, { name: 'never-ready', image: `${toolRef}:latest`, readyCommand: 'echo not yet >&2; exit 3', readyTimeoutSec: 2 });
    await buildsIdle();
    const sb = await createSandbox(A, { template: 'never-ready' });
    expect(sb.status).toBe(422);
    expect(sb.json.error.code).toBe('ready_check_failed');
    expect(sb.json.error.message).toMatch(/did not succeed within 2 s .*last exit code 3: not yet/);
    const list = (await api(sandboxes.GET, 'GET', '/sandboxes', { key: A.developer })).json.sandboxes;
    expect(list.filter((s: { template: string }) => s.template === created.json.template.id)).toEqual([]);
    // Nor on the runner: it was deleted there at once.
    const digest = (await getTemplate(A, created.json.template.id)).json.template.currentBuild.imageDigest;
    expect((await runner.client.list()).filter((s) => s.image === digest)).toEqual([]);
    expect((await deleteTemplate(A, created.json.template.id)).status).toBe(200);
  });
});

describe('org default template', () => {
  it('a create naming no template uses the org default; null goes back to the built-in one', async () => {
    expect((await setDefault(A, 'tool', A.developer)).status).toBe(403); // an admin's setting
    expect((await setDefault(B, toolId)).status).toBe(404); // another org's template
    const set = await setDefault(A, 'tool');
    expect(set.status).toBe(200);
    expect(set.json.defaultTemplate).toBe(toolId);
    const list = await listTemplates(A);
    expect(list.find((t: { id: string }) => t.id === toolId).default).toBe(true);
    expect(list.find((t: { builtin: boolean }) => t.builtin).default).toBe(false);
    const sb = await createSandbox(A, {});
    expect(sb.json.template).toBe(toolId);
    expect((await exec(A, sb.json.id, 'echo $TOOL_MODE')).stdout).toBe('image\n');
    await deleteSandbox(A, sb.json.id);
    // Other orgs keep the built-in default.
    expect((await createSandbox(B, {})).json.template).toBe('default');
    await setDefault(A, null);
    const plain = await createSandbox(A, {});
    expect(plain.json.template).toBe('default');
    await deleteSandbox(A, plain.json.id);
  });
});

describe('save as template', () => {
  it('a sandbox saved as a template: new sandboxes see its files; the snapshot is held; other orgs see nothing', async () => {
    const src = await createSandbox(A, {});
    await exec(A, src.json.id, 'echo from-the-source > /home/user/hello.txt && mkdir -p /home/user/app');
    const saved = await api(sandboxTemplate.POST, 'POST', `/sandboxes/${src.json.id}/template`, {
      key: A.developer,
      params: { id: src.json.id },
      body: { name: 'saved', description: 'with hello.txt' },
    });
    expect(saved.status).toBe(201);
    expect(saved.json.template).toMatchObject({ name: 'saved', status: 'ready', source: { type: 'snapshot' }, currentBuild: { version: 1, status: 'succeeded' } });
    const tplId = saved.json.template.id;
    const snapId = saved.json.template.source.snapshotId;
    await exec(A, src.json.id, 'echo changed-later > /home/user/hello.txt');

    const sb = await createSandbox(A, { template: 'saved' });
    expect(sb.status).toBe(201);
    expect(sb.json.template).toBe(tplId);
    expect((await exec(A, sb.json.id, 'cat /home/user/hello.txt; test -d /home/user/app && echo dir')).stdout).toBe('from-the-source\ndir\n');

    // The template holds its snapshot; another org neither sees nor uses it.
    const delSnap = await api(oneSnapshot.DELETE, 'DELETE', `/snapshots/${snapId}`, { key: A.admin, params: { id: snapId } });
    expect(delSnap.status).toBe(409);
    expect(delSnap.json.error.message).toMatch(/saved as template saved/);
    expect((await getTemplate(B, tplId)).status).toBe(404);
    expect((await createSandbox(B, { template: tplId })).status).toBe(400);
    const fromB = await api(snapshotTemplate.POST, 'POST', `/snapshots/${snapId}/template`, { key: B.developer, params: { id: snapId }, body: { name: 'stolen' } });
    expect(fromB.status).toBe(404);

    // A snapshot can be saved directly too; a taken name is a 409.
    const again = await api(snapshotTemplate.POST, 'POST', `/snapshots/${snapId}/template`, { key: A.developer, params: { id: snapId }, body: { name: 'saved' } });
    expect(again.status).toBe(409);

    expect((await deleteTemplate(A, tplId)).status).toBe(409); // a sandbox stands on it
    await deleteSandbox(A, sb.json.id);
    expect((await deleteTemplate(A, tplId)).status).toBe(200);
    expect((await api(oneSnapshot.DELETE, 'DELETE', `/snapshots/${snapId}`, { key: A.admin, params: { id: snapId } })).status).toBe(200);
    await deleteSandbox(A, src.json.id);
    const audit = (await api(auditRoute.GET, 'GET', '/audit?limit=100', { key: A.owner })).json;
    const actions = JSON.stringify(audit);
    expect(actions).toContain('template.create');
    expect(actions).toContain('template.delete');
  });
});

describe('platform templates', () => {
  it('an admin publishes a template: every org lists and uses it, none can change it', async () => {
    const admin = await makePlatformAdmin();
    const call = async (asAdmin: boolean, id: string) => {
      const cookie = await sessionCookieFor(asAdmin ? admin : A.ownerUser);
      const res = await publishRoute.POST(new Request(`http://localhost/api/admin/templates/${id}/publish`, { method: 'POST', headers: { cookie } }), ctx({ id }));
      return { status: res.status, json: await res.json() };
    };
    expect((await call(false, toolId)).status).toBe(404);
    const ok = await call(true, toolId);
    expect(ok.status).toBe(200);
    expect(ok.json.template).toMatchObject({ id: toolId, public: true });
    const seen = (await listTemplates(B)).find((t: { id: string }) => t.id === toolId);
    expect(seen).toMatchObject({ public: true, name: 'tool' });
    const sb = await createSandbox(B, { template: 'tool' });
    expect(sb.status).toBe(201);
    expect((await exec(B, sb.json.id, 'echo $TOOL_MODE')).stdout).toBe('image\n');
    await deleteSandbox(B, sb.json.id);
    expect((await deleteTemplate(B, toolId)).status).toBe(404);
    expect((await deleteTemplate(A, toolId)).status).toBe(404); // the platform's now
    const patched = await api(oneTemplate.PATCH, 'PATCH', `/templates/${toolId}`, { key: A.developer, params: { id: toolId }, body: { description: 'mine' } });
    expect(patched.status).toBe(404);
    expect(JSON.stringify((await api(auditRoute.GET, 'GET', '/audit?limit=100', { key: A.owner })).json)).toContain('template.publish');
  });
});

describe('image storage', () => {
  it('deleting a template removes its image and unshared layers from the runner', async () => {
    const ref = reg.push('team/gc', { layers: [busyboxLayer(), [{ type: 'file', path: 'only-here.txt', data: 'gc me' }]], config: { Env: ['PATH=/bin'] } });
    const created = await createTemplate(A, { name: 'gc', image: `${ref}:latest` });
    await buildsIdle();
    const t = (await getTemplate(A, created.json.template.id)).json.template;
    const digest = t.currentBuild.imageDigest;
    const img = await runner.client.images.get(digest);
    const layersDir = path.join(runner.dataDir, 'layers');
    for (const l of img.layers) expect(fs.existsSync(path.join(layersDir, l))).toBe(true);
    expect((await deleteTemplate(A, t.id)).status).toBe(200);
    expect((await runner.client.images.list()).map((i) => i.digest)).not.toContain(digest);
    // Its own top layer is gone; busybox's stays while the published `tool` image uses it.
    expect(fs.existsSync(path.join(layersDir, img.layers[0]!))).toBe(false);
    expect(fs.existsSync(path.join(layersDir, img.layers.at(-1)!))).toBe(true);
  });
});
