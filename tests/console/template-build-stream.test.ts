import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as oneBuild from '@/app/api/v1/templates/[id]/builds/[buildId]/route';
import * as oneTemplate from '@/app/api/v1/templates/[id]/route';
import * as templates from '@/app/api/v1/templates/route';
import { buildsIdle } from '@/lib/templates/builds';
import type { RunnerHandle } from '../runner/harness';
import { busyboxLayer, type Registry, startRegistry, type TarItem } from '../runner/oci-fixture';
import { api, makeTestOrg, type TestOrg, teardown, useRunner } from './sandboxes-fixture';

/**
 * A recipe's RUN output reaches the build log while the step runs (lib/templates/recipe-build.ts
 * polls the runner's live output), not only when it ends; on a real runner, from a busybox image
 * the test pushes to a real registry on loopback.
 */
let runner: RunnerHandle;
let A: TestOrg;
let reg: Registry;
let base: string;

beforeAll(async () => {
  [runner, A, reg] = await Promise.all([useRunner(), makeTestOrg(), startRegistry()]);
  const extra = ['sleep'].map((a): TarItem => ({ type: 'symlink', path: `bin/${a}`, target: 'busybox' }));
  base = `${reg.push('team/busybox-stream', { layers: [[...busyboxLayer(), ...extra]], config: { Env: ['PATH=/bin'] } })}:latest`;
});
afterAll(async () => {
  await buildsIdle();
  await Promise.all([teardown(runner), reg?.stop()]);
});

describe('build log streaming', { timeout: 180_000 }, () => {
  // The command prints what its text does not contain, so a line in the log is output, not the header.
  it("a RUN's lines are in the log while it runs, under its step header, before its result line", async () => {
    const r = await api(templates.POST, 'POST', '/templates', {
      key: A.developer,
      body: { name: 'streams', dockerfile: `FROM ${base}\nRUN A=first B=second C=no-newline; echo "$A-line"; sleep 5; echo "$B-line"; printf "$C-at-end"\n` },
    });
    expect(r.status).toBe(201);
    const { id } = r.json.template;
    const buildId = r.json.buildId as string;
    const read = async () => (await api(oneBuild.GET, 'GET', `/templates/${id}/builds/${buildId}`, { key: A.developer, params: { id, buildId } })).json.build;
    let b = await read();
    for (let i = 0; i < 600 && !b.log.includes('first-line'); i++) {
      await new Promise((res) => setTimeout(res, 100));
      b = await read();
    }
    // The first line is there while the step still runs: no second line, no result line yet.
    expect(b.log).toContain('first-line');
    expect(b.status).toBe('running');
    expect(b.log).not.toContain('second-line');
    expect(b.log).not.toMatch(/ ---> ran in/);
    expect(b.log).toMatch(/Step 2\/2 : RUN A=first[^\n]*\n[^\n]* first-line\n/);
    await buildsIdle();
    b = await read();
    expect(b.status, b.log).toBe('succeeded');
    const lines = b.log.split('\n').map((l: string) => l.replace(/^\S+ /, ''));
    const at = (s: string) => lines.findIndex((l: string) => l.startsWith(s));
    // Every line once, in order, the unterminated last one too, then the step's result.
    expect(lines.filter((l: string) => l === 'first-line')).toHaveLength(1);
    expect(at('Step 2/2')).toBeLessThan(at('first-line'));
    expect(at('first-line')).toBeLessThan(at('second-line'));
    expect(at('second-line')).toBeLessThan(at('no-newline-at-end'));
    expect(at('no-newline-at-end')).toBeLessThan(at(' ---> ran in'));
    expect((await api(oneTemplate.DELETE, 'DELETE', `/templates/${id}`, { key: A.developer, params: { id } })).status).toBe(200);
  });
});
