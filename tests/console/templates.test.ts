import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as processesRoute from '@/app/api/v1/sandboxes/[id]/processes/route';
import * as execRoute from '@/app/api/v1/sandboxes/[id]/exec/route';
import * as oneSandbox from '@/app/api/v1/sandboxes/[id]/route';
import * as sandboxes from '@/app/api/v1/sandboxes/route';
import * as oneSecret from '@/app/api/v1/secrets/[name]/route';
import * as secrets from '@/app/api/v1/secrets/route';
import * as oneBuild from '@/app/api/v1/templates/[id]/builds/[buildId]/route';
import * as builds from '@/app/api/v1/templates/[id]/builds/route';
import * as oneTemplate from '@/app/api/v1/templates/[id]/route';
import * as templates from '@/app/api/v1/templates/route';
import { setOrgLimits } from '@/lib/sandboxes/limits';
import { buildsIdle } from '@/lib/templates/builds';
import type { RunnerHandle } from '../runner/harness';
import { busyboxLayer, freePort, type Registry, startRegistry } from '../runner/oci-fixture';
import { api, makeTestOrg, type TestOrg, teardown, useRunner } from './sandboxes-fixture';

/**
 * Templates through the console API against a real registry on loopback and a real runner: a
 * template from an image builds (a pull, its log followable as NDJSON), sandboxes start from it
 * with the image's config and record the exact build, a private registry's password comes from
 * the org's vault, failures are clear on the build and leave the template unusable but intact,
 * and a template in use cannot be deleted. Other orgs see nothing of it.
 */
let runner: RunnerHandle;
let A: TestOrg;
let B: TestOrg;
let reg: Registry;
let priv: Registry;
let toolRef: string;
let privRef: string;

beforeAll(async () => {
  [runner, A, B, reg, priv] = await Promise.all([useRunner(), makeTestOrg(), makeTestOrg(), startRegistry(), startRegistry({ user: 'ci', password: 'reg-pass-0123' })]);
  toolRef = reg.push('team/tool', {
    layers: [busyboxLayer(), [{ type: 'dir', path: 'work/', uid: 1000, gid: 1000 }]],
    config: { Env: ['PATH=/bin', 'TOOL_MODE=image'], WorkingDir: '/work', Cmd: ['/bin/sh', '-c', 'echo started > /tmp/started; exec sleep 600'] },
  });
  privRef = priv.push('private/app', { layers: [busyboxLayer()], config: { Env: ['PATH=/bin'] } }, 'ci:reg-pass-0123');
});
afterAll(async () => {
  await buildsIdle();
  await Promise.all([teardown(runner), reg?.stop(), priv?.stop()]);
});

const createTemplate = (org: TestOrg, body: object) => api(templates.POST, 'POST', '/templates', { key: org.developer, body });
const getTemplate = (org: TestOrg, id: string) => api(oneTemplate.GET, 'GET', `/templates/${id}`, { key: org.developer, params: { id } });
const getBuild = (id: string, buildId: string, query = '') =>
  api(oneBuild.GET, 'GET', `/templates/${id}/builds/${buildId}${query}`, { key: A.developer, params: { id, buildId } });
const createSandbox = (org: TestOrg, body: object) => api(sandboxes.POST, 'POST', '/sandboxes', { key: org.developer, body });
const exec = async (id: string, cmd: string) => (await api(execRoute.POST, 'POST', `/sandboxes/${id}/exec`, { key: A.developer, params: { id }, body: { cmd: ['/bin/sh', '-c', cmd] } })).json;
const deleteSandbox = (id: string) => api(oneSandbox.DELETE, 'DELETE', `/sandboxes/${id}`, { key: A.developer, params: { id } });

type Listed = { id: string; builtin: boolean; public: boolean };
const ownAndBuiltIn = (list: Listed[]) => list.filter((x) => x.builtin || !x.public).map((x) => x.id);

describe('templates from images', () => {
  let tplId: string;
  let buildId: string;

  it('creates a template whose build pulls the image, with a live NDJSON log', async () => {
    const created = await createTemplate(A, { name: 'tool', image: `${toolRef}:latest`, description: 'busybox tool', startCommand: true });
    expect(created.status).toBe(201);
    tplId = created.json.template.id;
    buildId = created.json.buildId;
    expect(created.json.template).toMatchObject({ name: 'tool', status: 'building', source: { type: 'image', image: `${toolRef}:latest` }, public: false });

    const res = await getBuild(tplId, buildId, '?follow=1');
    expect(res.res.headers.get('content-type')).toBe('application/x-ndjson');
    const events = res
      .text!.trim()
      .split('\n')
      .map((l: string) => JSON.parse(l));
    expect(events[0]).toMatchObject({ type: 'log', line: expect.stringContaining('queued on runner') });
    expect(events.some((e: { type: string; line: string }) => e.type === 'log' && /pulled sha256:[a-f0-9]{64}: 2 layers/.test(e.line))).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: 'status', status: 'succeeded', imageDigest: expect.stringMatching(/^sha256:/) });
    // The stream ends at the final status, so the closing line must already be in it.
    expect(events.at(-2)).toMatchObject({ type: 'log', line: expect.stringContaining('build 1 succeeded') });

    const t = (await getTemplate(A, tplId)).json.template;
    expect(t).toMatchObject({ status: 'ready', currentBuild: { id: buildId, version: 1, status: 'succeeded' }, lastBuild: { id: buildId } });
    expect(t.sizeBytes).toBeGreaterThan(1_000_000); // busybox
    const b = (await getBuild(tplId, buildId)).json.build;
    expect(b.imageConfig).toMatchObject({ workingDir: '/work', env: { TOOL_MODE: 'image' } });
    expect(b.log).toMatch(/build 1 succeeded/);
    // By name too, and listed next to the built-in host template.
    expect((await getTemplate(A, 'tool')).json.template.id).toBe(tplId);
    const list = (await api(templates.GET, 'GET', '/templates', { key: A.viewer })).json.templates;
    // (Platform templates other test files publish meanwhile are every org's too: not counted.)
    expect(ownAndBuiltIn(list)).toEqual(['default', tplId]);
  });

  it('starts sandboxes from it with the image config and the exact build; its start command runs', async () => {
    const sb = await createSandbox(A, { template: tplId });
    expect(sb.status).toBe(201);
    expect(sb.json).toMatchObject({ template: tplId, templateBuildId: buildId });
    const out = await exec(sb.json.id, 'pwd; echo $TOOL_MODE; id -u');
    expect(out.stdout).toBe('/work\nimage\n1000\n');
    // Entrypoint + Cmd in the background (as root: the image has no User).
    let started = '';
    for (let i = 0; i < 50 && !started; i++) {
      started = (await exec(sb.json.id, 'cat /tmp/started 2>/dev/null')).stdout;
      if (!started) await new Promise((r) => setTimeout(r, 100));
    }
    expect(started).toBe('started\n');
    const procs = (await api(processesRoute.GET, 'GET', `/sandboxes/${sb.json.id}/processes`, { key: A.developer, params: { id: sb.json.id } })).json;
    expect(JSON.stringify(procs)).toContain('sleep 600');

    // In use: the template cannot be deleted; usedBy says why.
    expect((await getTemplate(A, tplId)).json.template.usedBy).toEqual({ sandboxes: 1, shares: 0 });
    const refused = await api(oneTemplate.DELETE, 'DELETE', `/templates/${tplId}`, { key: A.developer, params: { id: tplId } });
    expect(refused.status).toBe(409);
    expect(refused.json.error.message).toMatch(/in use by 1 sandbox/);
    expect((await deleteSandbox(sb.json.id)).status).toBe(200);
  });

  it('a runner without the image pulls it by digest at create; a rebuild is a new version', async () => {
    const digest = (await getTemplate(A, tplId)).json.template.currentBuild.imageDigest;
    await runner.client.images.delete(digest);
    const sb = await createSandbox(A, { template: 'tool' });
    expect(sb.status).toBe(201);
    expect((await exec(sb.json.id, 'echo $TOOL_MODE')).stdout).toBe('image\n');
    expect((await runner.client.images.get(digest)).reference).toBe(`${toolRef}@${digest}`);
    await deleteSandbox(sb.json.id);

    const rebuilt = await api(builds.POST, 'POST', `/templates/${tplId}/builds`, { key: A.developer, params: { id: tplId } });
    expect(rebuilt.status).toBe(202);
    expect(rebuilt.json.build).toMatchObject({ version: 2, status: 'queued' });
    await buildsIdle();
    const history = (await api(builds.GET, 'GET', `/templates/${tplId}/builds`, { key: A.viewer, params: { id: tplId } })).json.builds;
    expect(history.map((b: { version: number; status: string }) => [b.version, b.status])).toEqual([
      [2, 'succeeded'],
      [1, 'succeeded'],
    ]);
    expect((await getTemplate(A, tplId)).json.template.currentBuild.version).toBe(2);
  });

  it('other orgs see nothing of it', async () => {
    expect((await getTemplate(B, tplId)).status).toBe(404);
    expect((await api(builds.GET, 'GET', `/templates/${tplId}/builds`, { key: B.developer, params: { id: tplId } })).status).toBe(404);
    expect((await api(oneTemplate.DELETE, 'DELETE', `/templates/${tplId}`, { key: B.owner, params: { id: tplId } })).status).toBe(404);
    const sb = await createSandbox(B, { template: tplId });
    expect(sb.status).toBe(400);
    const list = (await api(templates.GET, 'GET', '/templates', { key: B.viewer })).json.templates;
    expect(ownAndBuiltIn(list)).toEqual(['default']);
  });

  it('counts against the plan’s maxTemplates', async () => {
    await setOrgLimits(B.scope.orgId, { maxTemplates: 1 });
    expect((await createTemplate(B, { name: 'first', image: `${toolRef}:latest` })).status).toBe(201);
    const over = await createTemplate(B, { name: 'second', image: `${toolRef}:latest` });
    expect(over.status).toBe(429);
    expect(over.json.error.message).toMatch(/limit of 1/);
    await buildsIdle();
  });

  it('private registries: the password comes from the vault; without it the build fails clearly', async () => {
    expect((await createTemplate(A, { name: 'priv', image: privRef, registryAuth: { username: 'ci', passwordSecret: 'NO_SUCH' } })).status).toBe(400);
    await api(secrets.POST, 'POST', '/secrets', { key: A.developer, body: { name: 'REGISTRY_PASS', value: 'reg-pass-0123' } });
    const bad = await createTemplate(A, { name: 'priv-noauth', image: privRef });
    const good = await createTemplate(A, { name: 'priv', image: privRef, registryAuth: { username: 'ci', passwordSecret: 'REGISTRY_PASS' } });
    expect(good.json.template.registryAuth).toEqual({ username: 'ci', passwordSecret: 'REGISTRY_PASS' });
    expect(JSON.stringify(good.json)).not.toContain('reg-pass-0123');
    // The secret names the template that uses it (its delete dialog warns of the next failed pull).
    const secret = await api(oneSecret.GET, 'GET', '/secrets/REGISTRY_PASS', { key: A.developer, params: { name: 'REGISTRY_PASS' } });
    expect(secret.json.secret.usedBy.templates).toBe(1);
    expect(secret.json.secret.usage.templates).toEqual([{ id: good.json.template.id, name: 'priv' }]);
    await buildsIdle();
    const failed = (await getTemplate(A, bad.json.template.id)).json.template;
    expect(failed).toMatchObject({ status: 'failed', currentBuild: null, lastBuild: { status: 'failed', error: expect.stringMatching(/refused access/) } });
    // A failed template is intact but not usable: a clear 409.
    const refused = await createSandbox(A, { template: 'priv-noauth' });
    expect(refused.status).toBe(409);
    expect(refused.json.error.message).toMatch(/no successful build/);
    expect((await getTemplate(A, good.json.template.id)).json.template.status).toBe('ready');
    const sb = await createSandbox(A, { template: 'priv' });
    expect((await exec(sb.json.id, 'echo private')).stdout).toBe('private\n');
    await deleteSandbox(sb.json.id);
  });

  it('bad references, missing tags and a registry that is down: a 400 now, or a failed build that says why', async () => {
    for (const image of ['Not An Image!', '-oops', `${reg.host}/x:${'a'.repeat(200)}`]) {
      const res = await createTemplate(A, { name: `bad-${Math.random().toString(36).slice(2, 7)}`, image });
      expect(res.status, image).toBe(400);
    }
    const cases: Array<[string, string, RegExp]> = [
      ['missing-tag', `${toolRef}:nope`, /image_not_found/],
      ['down', `127.0.0.1:${await freePort()}/team/tool:1`, /registry_unreachable/],
    ];
    for (const [name, image, code] of cases) {
      const res = await createTemplate(A, { name, image });
      await buildsIdle();
      const b = (await getBuild(res.json.template.id, res.json.buildId)).json.build;
      expect(b.status).toBe('failed');
      expect(b.error.code).toMatch(code);
      expect(b.log).toMatch(/failed: /);
    }
    // A taken name is a 409; `host` and `default` are reserved.
    expect((await createTemplate(A, { name: 'tool', image: toolRef })).status).toBe(409);
    expect((await createTemplate(A, { name: 'host', image: toolRef })).status).toBe(409);
  });

  it('PATCH changes what the next build pulls; DELETE removes an unused template', async () => {
    const patched = await api(oneTemplate.PATCH, 'PATCH', `/templates/missing-tag`, { key: A.developer, params: { id: 'missing-tag' }, body: { image: `${toolRef}:latest`, description: 'fixed' } });
    expect(patched.status).toBe(200);
    const id = patched.json.template.id;
    await api(builds.POST, 'POST', `/templates/${id}/builds`, { key: A.developer, params: { id } });
    await buildsIdle();
    expect((await getTemplate(A, id)).json.template).toMatchObject({ status: 'ready', description: 'fixed' });
    expect((await api(oneTemplate.DELETE, 'DELETE', `/templates/${id}`, { key: A.viewer, params: { id } })).status).toBe(403);
    expect((await api(oneTemplate.DELETE, 'DELETE', `/templates/${id}`, { key: A.developer, params: { id } })).status).toBe(200);
    expect((await getTemplate(A, id)).status).toBe(404);
  });
});
