import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as execRoute from '@/app/api/v1/sandboxes/[id]/exec/route';
import * as oneSandbox from '@/app/api/v1/sandboxes/[id]/route';
import * as sandboxes from '@/app/api/v1/sandboxes/route';
import * as oneBuild from '@/app/api/v1/templates/[id]/builds/[buildId]/route';
import * as cancelBuild from '@/app/api/v1/templates/[id]/builds/[buildId]/cancel/route';
import * as builds from '@/app/api/v1/templates/[id]/builds/route';
import * as oneTemplate from '@/app/api/v1/templates/[id]/route';
import * as templates from '@/app/api/v1/templates/route';
import { buildsIdle } from '@/lib/templates/builds';
import type { RunnerHandle } from '../runner/harness';
import { busyboxLayer, makeTar, type Registry, startRegistry, type TarItem } from '../runner/oci-fixture';
import { api, makeTestOrg, type TestOrg, teardown, useRunner } from './sandboxes-fixture';

/**
 * Templates built from a recipe (a Dockerfile or JSON steps) through the console API, on a real
 * runner: every RUN and COPY runs in a real sandbox whose writable layer becomes the next layer,
 * cached by step so a rebuild re-runs only from the first changed step. The base is a busybox
 * image the test pushes to a real registry on loopback.
 */
let runner: RunnerHandle;
let A: TestOrg;
let reg: Registry;
let base: string;

beforeAll(async () => {
  [runner, A, reg] = await Promise.all([useRunner(), makeTestOrg(), startRegistry()]);
  const extra = ['rm', 'false', 'sleep', 'sed', 'tr'].map((a): TarItem => ({ type: 'symlink', path: `bin/${a}`, target: 'busybox' }));
  base = `${reg.push('team/busybox', { layers: [[...busyboxLayer(), ...extra]], config: { Env: ['PATH=/bin'] } })}:latest`;
});
afterAll(async () => {
  await buildsIdle();
  await Promise.all([teardown(runner), reg?.stop()]);
});

const create = (body: object) => api(templates.POST, 'POST', '/templates', { key: A.developer, body });
const patch = (id: string, body: object) => api(oneTemplate.PATCH, 'PATCH', `/templates/${id}`, { key: A.developer, params: { id }, body });
const rebuild = (id: string, body: object = {}) => api(builds.POST, 'POST', `/templates/${id}/builds`, { key: A.developer, params: { id }, body });
const build = async (id: string, buildId: string) => {
  await buildsIdle();
  return (await api(oneBuild.GET, 'GET', `/templates/${id}/builds/${buildId}`, { key: A.developer, params: { id, buildId } })).json.build;
};
const exec = async (id: string, cmd: string, user?: string) =>
  (await api(execRoute.POST, 'POST', `/sandboxes/${id}/exec`, { key: A.developer, params: { id }, body: { cmd: ['/bin/sh', '-c', cmd], ...(user && { user }) } })).json;
const b64 = (items: TarItem[]) => makeTar(items).toString('base64');
/** `Step n/N : …` headers and what each step ended with (CACHED, ran, config) and its key. */
const stepsOf = (log: string) =>
  [...log.matchAll(/ ---> (CACHED|ran in [0-9.]+ s|config) ([a-f0-9]{12})/g)].map((m) => ({ how: m[1]!.startsWith('ran') ? 'ran' : m[1]!, key: m[2]! }));

const context = (greeting: string) =>
  b64([
    { type: 'dir', path: 'files/' },
    { type: 'file', path: 'files/a.txt', data: 'from the context\n', uid: 501, gid: 20 },
    { type: 'dir', path: 'files/sub/' },
    { type: 'file', path: 'files/sub/b.txt', data: `${greeting}\n` },
    { type: 'file', path: 'single.txt', data: 'single\n' },
    { type: 'symlink', path: 'etc-link', target: '/etc' },
  ]);

const dockerfile = (lastRun: string) => `# a recipe
FROM ${base}
ARG GREETING=hello
ENV APP_MODE=recipe \\
    GREETING_COPY=\${GREETING}
WORKDIR /app
COPY files/ ./
COPY single.txt /opt/single.txt
COPY etc-link /copied-link
RUN echo "$GREETING" > /app/greeting && id -u > /app/built-by
USER user
RUN ${lastRun}
CMD ["/bin/sh"]
`;

describe('recipe parse errors', () => {
  it('an unsupported instruction is a 400 naming it and its line', async () => {
    const r = await create({ name: 'bad', dockerfile: `FROM ${base}\nRUN true\n\nHEALTHCHECK CMD true\n` });
    expect(r.status).toBe(400);
    expect(r.json.error.message).toMatch(/line 4: HEALTHCHECK is not supported/);
    expect(r.json.error.details).toMatchObject({ line: 4, instruction: 'HEALTHCHECK' });
  });

  it('flags, stages, users and sources Warren cannot honour are refused up front', async () => {
    const cases: Array<[string, RegExp]> = [
      [`FROM ${base}\nCOPY --from=build /x /y`, /line 2: COPY --from is not supported/],
      [`FROM ${base} AS build\nRUN true`, /line 1: .*multi-stage/],
      [`FROM ${base}\nRUN true\nFROM ${base}`, /line 3: a second FROM/],
      [`FROM ${base}\nUSER nobody`, /line 2: USER nobody: a Warren sandbox has two users/],
      [`FROM ${base}\nCOPY ../secret /x`, /line 2: COPY source \.\.\/secret points outside the build context/],
      [`FROM ${base}\nADD https://example.com/x /x`, /line 2: ADD\/COPY from a URL/],
      ['RUN true', /line 1: the first instruction must be FROM/],
    ];
    for (const [text, want] of cases) {
      const r = await create({ name: 'bad', dockerfile: text });
      expect(r.status, text).toBe(400);
      expect(r.json.error.message, text).toMatch(want);
    }
    const steps = await create({ name: 'bad', steps: [{ run: 'true' }] });
    expect(steps.status).toBe(400);
    expect(steps.json.error.message).toMatch(/step 1 must be \{"from"/);
    const both = await create({ name: 'bad', image: base, dockerfile: `FROM ${base}` });
    expect(both.status).toBe(400);
  });

  it('a context over the cap is refused with 413', async () => {
    process.env.WARREN_TEMPLATE_CONTEXT_MAX_MB = '1';
    try {
      const big = b64([{ type: 'file', path: 'big.bin', data: Buffer.alloc(1024 * 1024 + 1) }]);
      const r = await create({ name: 'big', dockerfile: `FROM ${base}\nCOPY big.bin /big.bin`, contextBase64: big });
      expect(r.status).toBe(413);
      expect(r.json.error.message).toMatch(/WARREN_TEMPLATE_CONTEXT_MAX_MB/);
    } finally {
      delete process.env.WARREN_TEMPLATE_CONTEXT_MAX_MB;
    }
  });
});

describe('a Dockerfile build', { timeout: 180_000 }, () => {
  let tplId: string;
  let first: { how: string; key: string }[];
  let firstDigest: string;

  it('builds every step in a sandbox; ENV, WORKDIR, USER and COPY show in sandboxes made from it', async () => {
    const r = await create({ name: 'app', dockerfile: dockerfile('id -u > /home/user/run-as'), contextBase64: context('hi') });
    expect(r.status).toBe(201);
    expect(r.json.template.source).toMatchObject({ type: 'recipe', from: base, dockerfile: expect.stringContaining('WORKDIR /app'), context: { sha256: expect.any(String) } });
    tplId = r.json.template.id;
    const b = await build(tplId, r.json.buildId);
    expect(b.status, b.log).toBe('succeeded');
    expect(b.log).toMatch(/Step 1\/11 : FROM /);
    first = stepsOf(b.log);
    expect(first.map((s) => s.how)).toEqual(['config', 'config', 'ran', 'ran', 'ran', 'ran', 'ran', 'config', 'ran', 'config']);
    expect(b.imageConfig).toMatchObject({ workingDir: '/app', user: 'user', cmd: ['/bin/sh'], env: { APP_MODE: 'recipe', GREETING_COPY: 'hello', PATH: '/bin' } });
    firstDigest = b.imageDigest;

    const sb = await api(sandboxes.POST, 'POST', '/sandboxes', { key: A.developer, body: { template: tplId } });
    expect(sb.status).toBe(201);
    const id = sb.json.id;
    expect((await exec(id, 'pwd; echo $APP_MODE $GREETING_COPY')).stdout).toBe('/app\nrecipe hello\n');
    // COPY: a directory's contents into the WORKDIR, a file to an absolute path, owned by root.
    expect((await exec(id, 'cat a.txt sub/b.txt /opt/single.txt; stat -c %u:%g a.txt /opt/single.txt')).stdout).toBe('from the context\nhi\nsingle\n0:0\n0:0\n');
    // RUN before USER ran as root; after it, as user (1000).
    expect((await exec(id, 'cat /app/greeting /app/built-by /home/user/run-as; stat -c %u /home/user/run-as')).stdout).toBe('hello\n0\n1000\n1000\n');
    // An absolute symlink of the context is copied as a link and resolves inside the sandbox.
    const link = await exec(id, 'readlink /copied-link; cat /copied-link/passwd');
    expect(link.stdout).toBe('/etc\nroot:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home/user:/bin/sh\n');
    expect((await api(oneSandbox.DELETE, 'DELETE', `/sandboxes/${id}`, { key: A.developer, params: { id } })).status).toBe(200);
  });

  it('a rebuild with nothing changed is all CACHED and the same image', async () => {
    const r = await rebuild(tplId);
    expect(r.status).toBe(202);
    const b = await build(tplId, r.json.build.id);
    expect(b.status, b.log).toBe('succeeded');
    const again = stepsOf(b.log);
    expect(again.map((s) => s.how)).toEqual(first.map((s) => (s.how === 'ran' ? 'CACHED' : s.how === 'config' ? 'CACHED' : s.how)));
    expect(again.map((s) => s.key)).toEqual(first.map((s) => s.key));
    expect(b.imageDigest).toBe(firstDigest);
  });

  it('a changed step re-runs from there on; the layers under it are reused', async () => {
    expect((await patch(tplId, { dockerfile: dockerfile('echo changed > /home/user/run-as') })).status).toBe(200);
    const b = await build(tplId, (await rebuild(tplId)).json.build.id);
    expect(b.status, b.log).toBe('succeeded');
    const now = stepsOf(b.log);
    // Steps 2–9 unchanged (CACHED, same keys); step 10 (the changed RUN) and 11 are new.
    expect(now.slice(0, 8).map((s) => s.how)).toEqual(Array(8).fill('CACHED'));
    expect(now.slice(0, 8).map((s) => s.key)).toEqual(first.slice(0, 8).map((s) => s.key));
    expect(now[8]).toMatchObject({ how: 'ran' });
    expect(now[8]!.key).not.toBe(first[8]!.key);
    expect(now[9]!.how).toBe('config');
    const [oldImg, newImg] = await Promise.all([runner.client.images.get(firstDigest), runner.client.images.get(b.imageDigest)]);
    // Same stack under the changed step's layer: the earlier layers are shared, not rebuilt.
    expect(newImg.layers.slice(1)).toEqual(oldImg.layers.slice(1));
    expect(newImg.layers[0]).not.toBe(oldImg.layers[0]);
  });

  it('a new context re-runs the COPY that reads it and what follows, not what precedes', async () => {
    const b = await build(tplId, (await rebuild(tplId, { contextBase64: context('changed') })).json.build.id);
    expect(b.status, b.log).toBe('succeeded');
    const hows = stepsOf(b.log).map((s) => s.how);
    expect(hows.slice(0, 3)).toEqual(['CACHED', 'CACHED', 'CACHED']); // ARG, ENV, WORKDIR
    expect(hows[3]).toBe('ran'); // COPY files/ ./
    const sb = await api(sandboxes.POST, 'POST', '/sandboxes', { key: A.developer, body: { template: tplId } });
    expect((await exec(sb.json.id, 'cat sub/b.txt /home/user/run-as')).stdout).toBe('changed\nchanged\n');
    await api(oneSandbox.DELETE, 'DELETE', `/sandboxes/${sb.json.id}`, { key: A.developer, params: { id: sb.json.id } });
  });
});

describe('the step cache and tenancy', { timeout: 180_000 }, () => {
  it('another org building the same recipe runs it itself: no layer is shared or revealed', async () => {
    const B = await makeTestOrg();
    const text = `FROM ${base}\nRUN echo same-${Date.now()} > /same\n`;
    const a = await create({ name: 'same', dockerfile: text });
    const ba = await build(a.json.template.id, a.json.buildId);
    expect(stepsOf(ba.log).map((s) => s.how)).toEqual(['ran']);
    const b = await api(templates.POST, 'POST', '/templates', { key: B.developer, body: { name: 'same', dockerfile: text } });
    expect(b.status).toBe(201);
    await buildsIdle();
    const bb = (await api(oneBuild.GET, 'GET', `/templates/${b.json.template.id}/builds/${b.json.buildId}`, { key: B.developer, params: { id: b.json.template.id, buildId: b.json.buildId } })).json.build;
    expect(bb.status, bb.log).toBe('succeeded');
    expect(stepsOf(bb.log).map((s) => s.how)).toEqual(['ran']);
    expect(stepsOf(bb.log)[0]!.key).not.toBe(stepsOf(ba.log)[0]!.key);
    expect(bb.imageDigest).not.toBe(ba.imageDigest);
  });
});

describe('failing and hostile recipes', { timeout: 180_000 }, () => {
  it('a RUN that fails fails the build with its step, exit code and output', async () => {
    const r = await create({ name: 'fails', steps: [{ from: base }, { run: 'echo before' }, { run: 'echo oops-output; exit 3' }, { run: 'echo never' }] });
    expect(r.status).toBe(201);
    const b = await build(r.json.template.id, r.json.buildId);
    expect(b.status).toBe('failed');
    expect(b.error).toMatchObject({ code: 'build_step_failed', message: expect.stringMatching(/Step 3\/4 : RUN echo oops-output; exit 3 failed: the command exited with code 3/) });
    expect(b.log).toContain('oops-output');
    expect(b.log).not.toContain('Step 4/4');
    expect((await api(oneTemplate.GET, 'GET', `/templates/${r.json.template.id}`, { key: A.developer, params: { id: r.json.template.id } })).json.template.status).toBe('failed');
  });

  it('a cancel while a step runs stops the build there: no later step runs', async () => {
    const r = await create({ name: 'cancelled', steps: [{ from: base }, { run: 'sleep 6; echo first-done' }, { run: 'echo second-ran' }] });
    expect(r.status).toBe(201);
    const { id } = r.json.template;
    const buildId = r.json.buildId;
    const readLog = async () => (await api(oneBuild.GET, 'GET', `/templates/${id}/builds/${buildId}`, { key: A.developer, params: { id, buildId } })).json.build.log as string;
    // A step's lines land when it ends: FROM's are there once the RUN has begun.
    for (let i = 0; i < 300 && !(await readLog()).includes('Step 1/3'); i++) await new Promise((res) => setTimeout(res, 100));
    await new Promise((res) => setTimeout(res, 1500)); // well inside the 6 s step
    const c = await api(cancelBuild.POST, 'POST', `/templates/${id}/builds/${buildId}/cancel`, { key: A.developer, params: { id, buildId } });
    expect(c.status).toBe(200);
    const b = await build(id, buildId);
    expect(b.status).toBe('cancelled');
    expect(b.log).not.toContain('Step 3/3');
    expect(b.log).not.toContain('second-ran');
    // The org's template quota is shared by this file's tests.
    expect((await api(oneTemplate.DELETE, 'DELETE', `/templates/${id}`, { key: A.developer, params: { id } })).status).toBe(200);
  });

  it('a context entry with .. or a COPY through a symlink of the context fails the build; nothing lands outside', async () => {
    const marker = `escape-${Date.now()}`;
    const dotdot = await create({ name: 'dotdot', dockerfile: `FROM ${base}\nCOPY a /a`, contextBase64: b64([{ type: 'file', path: 'a', data: 'a' }, { type: 'file', path: `../../${marker}`, data: 'x' }]) });
    const b1 = await build(dotdot.json.template.id, dotdot.json.buildId);
    expect(b1.status).toBe('failed');
    expect(b1.error.message).toMatch(/build context cannot be used: .*points outside/);
    const through = await create({ name: 'through', dockerfile: `FROM ${base}\nCOPY etc-link/shadow /stolen`, contextBase64: b64([{ type: 'symlink', path: 'etc-link', target: '/etc' }]) });
    const b2 = await build(through.json.template.id, through.json.buildId);
    expect(b2.status).toBe('failed');
    expect(b2.error.message).toMatch(/goes through a symlink of the build context/);
    // Nothing escaped the runner's unpack dir, and no context layer is left behind.
    const layersDir = `${runner.dataDir}/layers`;
    expect(fs.readdirSync(layersDir).filter((n) => n.startsWith('ctx-'))).toEqual([]);
    expect(fs.existsSync(`${runner.dataDir}/${marker}`) || fs.existsSync(`${layersDir}/${marker}`) || fs.existsSync(`/tmp/${marker}`)).toBe(false);
  });
});
