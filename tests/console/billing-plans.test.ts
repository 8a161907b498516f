import { and, asc, eq, isNotNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as orgLimitsRoute from '@/app/api/admin/orgs/[id]/limits/route';
import * as orgPlanRoute from '@/app/api/admin/orgs/[id]/plan/route';
import * as planById from '@/app/api/admin/plans/[id]/route';
import * as plansRoute from '@/app/api/admin/plans/route';
import * as quotasRoute from '@/app/api/v1/quotas/route';
import * as one from '@/app/api/v1/sandboxes/[id]/route';
import * as startRoute from '@/app/api/v1/sandboxes/[id]/start/route';
import * as stopRoute from '@/app/api/v1/sandboxes/[id]/stop/route';
import * as list from '@/app/api/v1/sandboxes/route';
import { getDb, schema } from '@/db';
import type { UserScope } from '@/lib/auth/scope';
import { systemActor } from '@/lib/audit/audit';
import { setPaymentMethod } from '@/lib/billing/org-admin';
import { orgStanding } from '@/lib/billing/standing';
import { ingestRunner } from '@/lib/usage/ingest';
import { periodCost, rateCard } from '@/lib/usage/rates';
import type { RunnerHandle } from '../runner/harness';
import { makePlatformAdmin, planFor } from './helpers/billing';
import { call, req, uniq } from './helpers/fixtures';
import { signInAs } from './helpers/session';
import { api, makeTestOrg, teardown, useRunner } from './sandboxes-fixture';

/** Plans decide limits and rates; admins edit them; moving an org between plans changes both. */
let runner: RunnerHandle;
let admin: UserScope;
beforeAll(async () => {
  [runner, admin] = await Promise.all([useRunner(), makePlatformAdmin()]);
  signInAs(admin);
});
afterAll(async () => {
  signInAs(null);
  await teardown(runner);
});

type Route = Parameters<typeof call>[0];
const adminCall = (route: Route, method: string, path: string, body?: unknown, params: Record<string, string> = {}) => call(route, req(method, path, { body }), params);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const quota = async (key: string, name: string) => (await api(quotasRoute.GET, 'GET', '/quotas', { key })).json.quotas.find((q: { name: string }) => q.name === name);

describe('plans', () => {
  it('are seeded Free, Pro and Team from the env rate card; admins create and edit them', async () => {
    const listed = await adminCall(plansRoute.GET, 'GET', '/api/admin/plans');
    const free = listed.json.plans.find((p: { id: string }) => p.id === 'free');
    const r = rateCard();
    expect(free).toMatchObject({ name: 'Free', priceMicros: 0, rates: { vcpuHourMicros: Number(r.vcpuHour), storageGibHourMicros: Number(r.storageGibHour) }, limits: { maxSandboxes: 10 } });
    expect(listed.json.plans.map((p: { id: string }) => p.id)).toEqual(expect.arrayContaining(['free', 'pro', 'team']));

    const id = `c-${uniq()}`;
    const made = await adminCall(plansRoute.POST, 'POST', '/api/admin/plans', { id, name: 'Acme deal', basedOn: 'pro', priceMicros: 500_000_000 });
    expect(made.status).toBe(201);
    expect(made.json.plan).toMatchObject({ id, custom: true, priceMicros: 500_000_000, limits: { maxSandboxes: 50 } });
    expect((await adminCall(plansRoute.POST, 'POST', '/api/admin/plans', { id, name: 'Twice' })).status).toBe(409);
    for (const bad of [{ id: 'Bad Id', name: 'x' }, { id: `d-${uniq()}`, name: 'x', priceMicros: 1.5 }, { id: `d-${uniq()}`, name: 'x', maxCpu: 0.001 }, { id: `d-${uniq()}`, name: 'x', extra: 1 }]) {
      expect((await adminCall(plansRoute.POST, 'POST', '/api/admin/plans', bad)).status, JSON.stringify(bad)).toBe(400);
    }
    expect((await adminCall(plansRoute.POST, 'POST', '/api/admin/plans', { id: `d-${uniq()}`, name: 'x', basedOn: 'nope' })).status).toBe(404);

    const edited = await adminCall(planById.PATCH, 'PATCH', `/api/admin/plans/${id}`, { maxSandboxes: 75, monthlyCreditMicros: 1 }, { id });
    expect(edited.json.plan).toMatchObject({ monthlyCreditMicros: 1, limits: { maxSandboxes: 75 } });
    expect((await adminCall(planById.PATCH, 'PATCH', `/api/admin/plans/${id}`, {}, { id })).status).toBe(400);
    expect((await adminCall(planById.PATCH, 'PATCH', `/api/admin/plans/${id}`, { vcpuHourMicros: -1 }, { id })).status).toBe(400);
    expect((await adminCall(planById.PATCH, 'PATCH', '/api/admin/plans/nope', { maxSandboxes: 1 }, { id: 'nope' })).status).toBe(404);
    expect((await adminCall(planById.GET, 'GET', `/api/admin/plans/${id}`, undefined, { id })).json.plan.limits.maxSandboxes).toBe(75);
  });
});

describe('moving an org between plans', () => {
  it('changes its limits at once; an override beats the plan until cleared', async () => {
    const o = await makeTestOrg();
    expect(await quota(o.viewer, 'maxSandboxes')).toMatchObject({ limit: 10, source: 'plan' });
    const moved = await adminCall(orgPlanRoute.POST, 'POST', '', { planId: 'pro' }, { id: o.scope.orgId });
    expect(moved.status).toBe(200);
    expect((await api(quotasRoute.GET, 'GET', '/quotas', { key: o.viewer })).json.plan).toEqual({ id: 'pro', name: 'Pro', requiredIsolation: null });
    expect(await quota(o.viewer, 'maxSandboxes')).toMatchObject({ limit: 50, source: 'plan' });
    await adminCall(orgLimitsRoute.PATCH, 'PATCH', '', { maxSandboxes: 7 }, { id: o.scope.orgId });
    expect(await quota(o.viewer, 'maxSandboxes')).toMatchObject({ limit: 7, source: 'override' });
    await adminCall(orgLimitsRoute.PATCH, 'PATCH', '', { maxSandboxes: null }, { id: o.scope.orgId });
    expect(await quota(o.viewer, 'maxSandboxes')).toMatchObject({ limit: 50, source: 'plan' });

    // A smaller plan's per-sandbox maximum applies when a stopped sandbox starts again.
    const id = (await api(list.POST, 'POST', '/sandboxes', { key: o.developer, body: { cpu: 2 } })).json.id;
    await api(stopRoute.POST, 'POST', '', { key: o.developer, params: { id } });
    await planFor(o.scope.orgId, { maxCpu: 1 });
    const start = await api(startRoute.POST, 'POST', '', { key: o.developer, params: { id } });
    expect(start.status).toBe(429);
    expect(start.json.error.details).toEqual({ limit: 'maxCpu', max: 1, current: 2, requested: 2 });
  });

  it('prices usage before the change with the old plan’s rates and after it with the new one’s', async () => {
    const o = await makeTestOrg();
    const cheap = { vcpuHourMicros: 3_600_000, memoryGibHourMicros: 0 }; // 1 micro-dollar per vCPU-ms
    await planFor(o.scope.orgId, cheap);
    const id = (await api(list.POST, 'POST', '/sandboxes', { key: o.developer, body: { cpu: 1 } })).json.id;
    await sleep(800);
    await ingestRunner('local');
    const before = Date.now();
    await planFor(o.scope.orgId, { vcpuHourMicros: 36_000_000, memoryGibHourMicros: 0 }); // 10× dearer
    const after = Date.now();
    await sleep(800);
    await api(one.DELETE, 'DELETE', '', { key: o.admin, params: { id } });
    await ingestRunner('local');
    const db = await getDb();
    const periods = await db
      .select()
      .from(schema.usagePeriods)
      .where(and(eq(schema.usagePeriods.subject, id), eq(schema.usagePeriods.kind, 'compute'), isNotNull(schema.usagePeriods.endedAt)))
      .orderBy(asc(schema.usagePeriods.startedAt));
    const old = periods.filter((p) => p.endedAt!.getTime() <= after);
    const fresh = periods.filter((p) => p.startedAt.getTime() >= before);
    expect(old.length).toBeGreaterThan(0);
    expect(fresh.length).toBeGreaterThan(0);
    const cost = (p: (typeof periods)[number], vcpu: number) =>
      periodCost({ kind: 'compute', durationMs: p.endedAt!.getTime() - p.startedAt.getTime(), vcpuMilli: p.vcpuMilli, memoryMb: p.memoryMb, diskBytes: 0, cpuMs: 0 }, { ...rateCard(), vcpuHour: BigInt(vcpu), memoryGibHour: 0n });
    for (const p of old) expect(p.costMicros).toBe(cost(p, 3_600_000));
    for (const p of fresh) expect(p.costMicros).toBe(cost(p, 36_000_000));
    expect(fresh.reduce((s, p) => s + p.costMicros!, 0)).toBeGreaterThan(5 * old.reduce((s, p) => s + p.costMicros!, 0));
  });

  it('with a payment method, an org with no credit left may still run (only the balance counts otherwise)', async () => {
    const o = await makeTestOrg();
    await planFor(o.scope.orgId, { monthlyCreditMicros: 0 });
    expect((await orgStanding(o.scope.orgId)).blocked).toBe('balance_exhausted');
    await setPaymentMethod(o.scope.orgId, true, systemActor(null, 'payments'));
    expect((await orgStanding(o.scope.orgId)).blocked).toBeNull();
    expect((await api(list.POST, 'POST', '/sandboxes', { key: o.developer, body: {} })).status).toBe(201);
  });
});
