import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as execRoute from '@/app/api/v1/sandboxes/[id]/exec/route';
import * as pauseRoute from '@/app/api/v1/sandboxes/[id]/pause/route';
import * as resumeRoute from '@/app/api/v1/sandboxes/[id]/resume/route';
import * as sbSnaps from '@/app/api/v1/sandboxes/[id]/snapshots/route';
import * as startRoute from '@/app/api/v1/sandboxes/[id]/start/route';
import * as stopRoute from '@/app/api/v1/sandboxes/[id]/stop/route';
import * as list from '@/app/api/v1/sandboxes/route';
import type { PlanFields } from '@/lib/schemas/billing';
import type { RunnerHandle } from '../runner/harness';
import { planFor } from './helpers/billing';
import { api, makeTestOrg, type TestOrg, teardown, useRunner } from './sandboxes-fixture';

/**
 * Every capacity quota under racing requests, on real sandboxes: the last unit goes to exactly
 * one of them, the others get 429 quota_exceeded naming the limit, its value and the current use,
 * and the runner ends up with exactly what the quota allows.
 */
let runner: RunnerHandle;
beforeAll(async () => {
  runner = await useRunner();
});
afterAll(() => teardown(runner));

/** A fresh org on a custom plan: roomy, but for the limits the test names. */
async function orgWith(limits: Partial<PlanFields>): Promise<TestOrg> {
  const org = await makeTestOrg();
  await planFor(org.scope.orgId, { maxSandboxes: 20, maxRunningCpu: 100, maxRunningMemoryMb: 100_000, ...limits });
  return org;
}
const create = (o: TestOrg, body: object = {}) => api(list.POST, 'POST', '/sandboxes', { key: o.developer, body });
const act = (o: TestOrg, route: { POST: typeof startRoute.POST }, id: string) => api(route.POST, 'POST', '', { key: o.developer, params: { id } });
type Answer = Awaited<ReturnType<typeof api>>;
const split = (rs: Answer[], ok: number) => ({
  ok: rs.filter((r) => r.status === ok),
  refused: rs.filter((r) => r.status === 429),
});
const onRunner = async (o: TestOrg, state?: string) => (await runner.client.list()).filter((s) => s.metadata?.org === o.scope.orgId && (!state || s.state === state)).length;
const tagged = (o: TestOrg) => ({ metadata: { org: o.scope.orgId } });

describe('capacity quotas under racing requests', () => {
  it('running vCPUs: 4 racing creates of 1 vCPU at a limit of 2 → 2 run', async () => {
    const o = await orgWith({ maxRunningCpu: 2 });
    const { ok, refused } = split(await Promise.all(Array.from({ length: 4 }, () => create(o, { cpu: 1, ...tagged(o) }))), 201);
    expect([ok.length, refused.length]).toEqual([2, 2]);
    expect(refused[0]!.json.error).toMatchObject({ code: 'quota_exceeded', details: { limit: 'maxRunningCpu', max: 2, current: 2, requested: 1 } });
    // The runner may have started the refused ones while their rows were counted: they are gone
    // by the time the 429 is answered, in any state.
    expect(await onRunner(o)).toBe(2);
  });

  it('a name taken by a racing create: one 201, one 409, and one sandbox on the runner', async () => {
    const o = await orgWith({});
    const [a, b] = await Promise.all([create(o, { name: 'twin', ...tagged(o) }), create(o, { name: 'twin', ...tagged(o) })]);
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    expect([a, b].find((r) => r.status === 409)!.json.error.message).toMatch(/named twin already exists/);
    expect(await onRunner(o)).toBe(1);
    const listed = await api(list.GET, 'GET', '/sandboxes', { key: o.developer });
    expect(listed.json.sandboxes.map((s: { name: string }) => s.name)).toEqual(['twin']);
  });

  it('running memory: 3 racing creates of 512 MB at a limit of 1024 MB → 2 run', async () => {
    const o = await orgWith({ maxRunningMemoryMb: 1024 });
    const { ok, refused } = split(await Promise.all(Array.from({ length: 3 }, () => create(o, { memoryMb: 512, ...tagged(o) }))), 201);
    expect([ok.length, refused.length]).toEqual([2, 1]);
    expect(refused[0]!.json.error.details).toEqual({ limit: 'maxRunningMemoryMb', max: 1024, current: 1024, requested: 512 });
    expect(await onRunner(o, 'running')).toBe(2);
  });

  it('start: two stopped sandboxes racing for the last slot → one starts', async () => {
    const o = await orgWith({ maxSandboxes: 2 });
    const a = (await create(o, tagged(o))).json.id;
    const b = (await create(o, tagged(o))).json.id;
    for (const id of [a, b]) expect((await act(o, stopRoute, id)).status).toBe(200);
    expect((await create(o, tagged(o))).status).toBe(201);
    const { ok, refused } = split(await Promise.all([act(o, startRoute, a), act(o, startRoute, b)]), 200);
    expect([ok.length, refused.length]).toEqual([1, 1]);
    expect(refused[0]!.json.error.details).toEqual({ limit: 'maxSandboxes', max: 2, current: 2 });
    expect(await onRunner(o, 'running')).toBe(2);
    expect(await onRunner(o, 'stopped')).toBe(1);
  });

  it('resume: paused sandboxes hold memory but no vCPU; two racing resumes for the last vCPU → one runs', async () => {
    const o = await orgWith({ maxRunningCpu: 2 });
    const a = (await create(o, { cpu: 1, ...tagged(o) })).json.id;
    const b = (await create(o, { cpu: 1, ...tagged(o) })).json.id;
    for (const id of [a, b]) expect((await act(o, pauseRoute, id)).status).toBe(200);
    expect((await create(o, { cpu: 1, ...tagged(o) })).status).toBe(201); // the paused ones freed their vCPUs
    const { ok, refused } = split(await Promise.all([act(o, resumeRoute, a), act(o, resumeRoute, b)]), 200);
    expect([ok.length, refused.length]).toEqual([1, 1]);
    expect(refused[0]!.json.error.details).toMatchObject({ limit: 'maxRunningCpu', max: 2, current: 2 });
    expect(await onRunner(o, 'running')).toBe(2);
    expect(await onRunner(o, 'paused')).toBe(1);
  });

  it('fork: three racing forks of a snapshot with one slot left → one fork', async () => {
    const o = await orgWith({ maxSandboxes: 2 });
    const parent = (await create(o, tagged(o))).json.id;
    const snap = await api(sbSnaps.POST, 'POST', '', { key: o.developer, body: {}, params: { id: parent } });
    expect(snap.status).toBe(201);
    const { ok, refused } = split(await Promise.all(Array.from({ length: 3 }, () => create(o, { snapshotId: snap.json.id, ...tagged(o) }))), 201);
    expect([ok.length, refused.length]).toEqual([1, 2]);
    expect(refused[0]!.json.error.details).toEqual({ limit: 'maxSandboxes', max: 2, current: 2 });
  });

  it('snapshot storage: two racing snapshots with room for one → one is taken', async () => {
    const o = await makeTestOrg();
    const id = (await create(o, tagged(o))).json.id;
    const exec = await api(execRoute.POST, 'POST', '', { key: o.developer, body: { cmd: 'head -c 2097152 /dev/urandom > /home/user/blob' }, params: { id } });
    expect(exec.json.exitCode).toBe(0);
    const { diskBytes } = await runner.client.metrics(id);
    expect(diskBytes).toBeGreaterThan(2_000_000);
    const max = Math.floor(diskBytes * 1.5);
    await planFor(o.scope.orgId, { maxSnapshotBytes: max });
    const snap = () => api(sbSnaps.POST, 'POST', '', { key: o.developer, body: {}, params: { id } });
    const { ok, refused } = split(await Promise.all([snap(), snap()]), 201);
    expect([ok.length, refused.length]).toEqual([1, 1]);
    expect(refused[0]!.json.error).toMatchObject({ code: 'quota_exceeded', details: { limit: 'maxSnapshotBytes', max, current: expect.any(Number), requested: expect.any(Number) } });
    expect((await runner.client.snapshots.list()).filter((s) => s.sandboxId === id)).toHaveLength(1);
    // Stored now: the snapshot's real size counts, and nothing more fits.
    const third = await snap();
    expect(third.status).toBe(429);
    expect(third.json.error.details.current).toBe(ok[0]!.json.sizeBytes);
  });
});
