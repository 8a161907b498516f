import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as execRoute from '@/app/api/v1/sandboxes/[id]/exec/route';
import * as oneSandbox from '@/app/api/v1/sandboxes/[id]/route';
import * as sandboxes from '@/app/api/v1/sandboxes/route';
import * as oneBuild from '@/app/api/v1/templates/[id]/builds/[buildId]/route';
import * as builds from '@/app/api/v1/templates/[id]/builds/route';
import * as oneTemplate from '@/app/api/v1/templates/[id]/route';
import * as templates from '@/app/api/v1/templates/route';
import { LOCAL_RUNNER_ID } from '@/lib/runners/registry';
import { collectBuildCache } from '@/lib/templates/build-gc';
import { buildsIdle } from '@/lib/templates/builds';
import type { RunnerHandle } from '../runner/harness';
import { busyboxLayer, makeTar, type Registry, startRegistry } from '../runner/oci-fixture';
import { api, makeTestOrg, type TestOrg, teardown, useRunner } from './sandboxes-fixture';

/**
 * Garbage collection of recipe builds on a real runner (runner/images/build-gc.ts,
 * lib/templates/build-gc.ts): step records, `bld-*` layers and uploaded contexts go once no live
 * template's build reaches them, a step shared with a live template stays, and the states a
 * runner killed mid-collection leaves are swept at its next start without touching what is named.
 * The runner's grace period is 0 here, so each collection sees only what the database keeps.
 */
let runner: RunnerHandle;
let A: TestOrg;
let reg: Registry;
let base: string;
let layersDir: string;
let contextsDir: string;

beforeAll(async () => {
  process.env.WARREN_RUNNER_BUILD_GC_GRACE_SEC = '0';
  [runner, A, reg] = await Promise.all([useRunner(), makeTestOrg(), startRegistry()]);
  base = `${reg.push('team/busybox-gc', { layers: [busyboxLayer()], config: { Env: ['PATH=/bin'] } })}:latest`;
  layersDir = path.join(runner.dataDir, 'layers');
  contextsDir = path.join(runner.dataDir, 'build-contexts');
});
afterAll(async () => {
  delete process.env.WARREN_RUNNER_BUILD_GC_GRACE_SEC;
  await buildsIdle();
  await Promise.all([teardown(runner), reg?.stop()]);
});

const create = (body: object) => api(templates.POST, 'POST', '/templates', { key: A.developer, body });
const remove = (id: string) => api(oneTemplate.DELETE, 'DELETE', `/templates/${id}`, { key: A.developer, params: { id } });
const build = async (id: string, buildId: string) => {
  await buildsIdle();
  return (await api(oneBuild.GET, 'GET', `/templates/${id}/builds/${buildId}`, { key: A.developer, params: { id, buildId } })).json.build;
};
const bldLayers = () => fs.readdirSync(layersDir).filter((n) => n.startsWith('bld-')).sort();
const contexts = () => fs.readdirSync(contextsDir).sort();
const stepRecords = async () => (await runner.client.images.list()).filter((i) => i.reference.startsWith('build:')).map((i) => i.digest).sort();
/** Each step's key (12 hex) as the build log shows it, in order. */
const keysOf = (log: string) => [...log.matchAll(/ ---> (?:CACHED|ran in [0-9.]+ s|config) ([a-f0-9]{12})/g)].map((m) => m[1]!);
const layerOf = (key12: string) => bldLayers().find((n) => n.startsWith(`bld-${key12}`));
const ctx = (text: string) => makeTar([{ type: 'file', path: 'f.txt', data: text }]).toString('base64');

async function sandboxSays(templateId: string, cmd: string): Promise<string> {
  const sb = await api(sandboxes.POST, 'POST', '/sandboxes', { key: A.developer, body: { template: templateId } });
  expect(sb.status, JSON.stringify(sb.json)).toBe(201);
  const id = sb.json.id as string;
  const r = await api(execRoute.POST, 'POST', `/sandboxes/${id}/exec`, { key: A.developer, params: { id }, body: { cmd: ['/bin/sh', '-c', cmd] } });
  await api(oneSandbox.DELETE, 'DELETE', `/sandboxes/${id}`, { key: A.developer, params: { id } });
  return r.json.stdout as string;
}

describe('recipe build garbage collection', { timeout: 300_000 }, () => {
  let keep: { id: string; keys: string[] };

  it('deleting a template removes its own step layers, records and context; a step another template shares stays', async () => {
    const shared = `FROM ${base}\nRUN echo shared > /shared\n`;
    const a = await create({ name: 'gc-a', dockerfile: `${shared}COPY f.txt /f.txt\nRUN echo only-a > /a\nCMD ["/bin/sh"]\n`, contextBase64: ctx('a') });
    expect(a.status).toBe(201);
    const ba = await build(a.json.template.id, a.json.buildId);
    expect(ba.status, ba.log).toBe('succeeded');
    const b = await create({ name: 'gc-b', dockerfile: `${shared}RUN echo only-b > /b\n` });
    const bb = await build(b.json.template.id, b.json.buildId);
    expect(bb.status, bb.log).toBe('succeeded');
    const aKeys = keysOf(ba.log);
    const bKeys = keysOf(bb.log);
    expect(bKeys[0]).toBe(aKeys[0]); // the shared RUN, CACHED for B
    keep = { id: b.json.template.id, keys: bKeys };
    // A's steps: RUN shared, COPY, RUN only-a (layers) and CMD (a record on A's last layer).
    for (const k of [aKeys[0]!, aKeys[1]!, aKeys[2]!, bKeys[1]!]) expect(layerOf(k), k).toBeDefined();
    expect(contexts()).toHaveLength(1);
    const recordsBefore = await stepRecords();
    expect(recordsBefore).toHaveLength(aKeys.length + bKeys.length - 1);

    expect((await remove(a.json.template.id)).status).toBe(200);
    // A's COPY and RUN layers, its context and its records are gone; the shared RUN stays for B.
    expect(layerOf(aKeys[1]!)).toBeUndefined();
    expect(layerOf(aKeys[2]!)).toBeUndefined();
    expect(layerOf(aKeys[0]!)).toBeDefined();
    expect(layerOf(bKeys[1]!)).toBeDefined();
    expect(contexts()).toEqual([]);
    expect(await stepRecords()).toHaveLength(bKeys.length);
    // B still runs, and its rebuild finds every step cached.
    expect(await sandboxSays(b.json.template.id, 'cat /shared /b')).toBe('shared\nonly-b\n');
    const again = await api(builds.POST, 'POST', `/templates/${b.json.template.id}/builds`, { key: A.developer, params: { id: b.json.template.id }, body: {} });
    const rb = await build(b.json.template.id, again.json.build.id);
    expect(rb.status, rb.log).toBe('succeeded');
    expect(rb.log).not.toMatch(/ran in/);
    expect(rb.log.match(/---> CACHED/g)).toHaveLength(bKeys.length);
  });

  it("a failed build's steps are collected once it ends; a live template's are not", async () => {
    const before = bldLayers();
    const c = await create({ name: 'gc-fails', steps: [{ from: base }, { run: 'echo partial > /p' }, { run: 'exit 3' }] });
    const bc = await build(c.json.template.id, c.json.buildId);
    expect(bc.status).toBe('failed');
    // The RUN that succeeded made a layer; the collection at the build's end (grace 0) took it.
    expect(bc.log).toMatch(/Step 2\/3 : RUN echo partial > \/p\n.* ---> ran in/);
    expect(bldLayers()).toEqual(before);
    expect(await stepRecords()).toHaveLength(keep.keys.length);
    expect((await remove(c.json.template.id)).status).toBe(200);
  });

  it('a runner killed mid-collection: its next start removes the leftovers and nothing a template uses', async () => {
    const named = bldLayers();
    // The states a kill leaves: a layer already renamed for removal, half removed; and a step
    // whose record was removed but whose layer was not yet claimed (named by nothing).
    fs.mkdirSync(path.join(layersDir, `bld-${'d'.repeat(64)}.gc-0badf00d/usr/lib`), { recursive: true });
    fs.writeFileSync(path.join(layersDir, `bld-${'d'.repeat(64)}.gc-0badf00d/usr/lib/half`), 'x');
    fs.mkdirSync(path.join(layersDir, `bld-${'e'.repeat(64)}/etc`), { recursive: true });
    await runner.kill();
    await runner.restart();
    expect(bldLayers()).toEqual(named);
    expect(await stepRecords()).toHaveLength(keep.keys.length);
    expect(await sandboxSays(keep.id, 'cat /shared /b')).toBe('shared\nonly-b\n');
    // And a collection right after a restart (no young steps) keeps the live template's chain.
    expect(await collectBuildCache(LOCAL_RUNNER_ID)).toMatchObject({ images: 0, layers: 0 });
    expect(bldLayers()).toEqual(named);
  });
});
