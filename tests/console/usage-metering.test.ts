import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as action from '@/app/api/v1/sandboxes/[id]/pause/route';
import * as resumeRoute from '@/app/api/v1/sandboxes/[id]/resume/route';
import * as one from '@/app/api/v1/sandboxes/[id]/route';
import * as startRoute from '@/app/api/v1/sandboxes/[id]/start/route';
import * as stopRoute from '@/app/api/v1/sandboxes/[id]/stop/route';
import * as sandboxUsageRoute from '@/app/api/v1/sandboxes/[id]/usage/route';
import * as list from '@/app/api/v1/sandboxes/route';
import * as usageRoute from '@/app/api/v1/usage/route';
import { getDb, schema } from '@/db';
import { ingestRunner } from '@/lib/usage/ingest';
import { planRates } from '@/lib/usage/org-rates';
import { recomputeRollups, Touched } from '@/lib/usage/periods';
import { periodCost } from '@/lib/usage/rates';
import type { RunnerHandle } from '../runner/harness';
import { api, makeTestOrg, type TestOrg, teardown, useRunner } from './sandboxes-fixture';

/**
 * The meter on real sandboxes: every second in the right kind, at the times the runner saw,
 * priced exactly by the rate card, and nothing lost when the console or the runner is down.
 */
let runner: RunnerHandle;
let A: TestOrg;
beforeAll(async () => {
  [runner, A] = await Promise.all([useRunner(), makeTestOrg()]);
});
afterAll(() => teardown(runner));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const periodsOf = async (subject: string) => {
  const db = await getDb();
  return db.select().from(schema.usagePeriods).where(eq(schema.usagePeriods.subject, subject)).orderBy(asc(schema.usagePeriods.startedAt), asc(schema.usagePeriods.kind));
};
/** Merges the hourly pieces of one stretch back together (a test may run across an hour). */
function stretches(rows: Awaited<ReturnType<typeof periodsOf>>, kind: string) {
  const out: Array<{ from: number; to: number | null }> = [];
  for (const p of rows.filter((r) => r.kind === kind)) {
    const last = out.at(-1);
    if (last && last.to === p.startedAt.getTime()) last.to = p.endedAt?.getTime() ?? null;
    else out.push({ from: p.startedAt.getTime(), to: p.endedAt?.getTime() ?? null });
  }
  return out;
}
/** Runs a call and says when it started and ended. */
async function during<T>(call: () => Promise<T>): Promise<{ result: T; before: number; after: number }> {
  const before = Date.now();
  const result = await call();
  return { result, before, after: Date.now() };
}
const within = (t: number | null, w: { before: number; after: number }) => {
  expect(t).not.toBeNull();
  expect(t!).toBeGreaterThanOrEqual(w.before - 50);
  expect(t!).toBeLessThanOrEqual(w.after + 50);
};
const near = (a: number | null, b: number) => expect(Math.abs((a ?? Number.NaN) - b)).toBeLessThan(1000);

describe('usage metering', { timeout: 90_000 }, () => {
  it('meters a lifecycle in the right kinds at the right times, priced by the rate card', async () => {
    // Each boundary is where the runner saw the change: within the call that made it (plus a
    // little slack for clocks), however slow a loaded machine makes that call.
    const { result: created, ...w0 } = await during(() => api(list.POST, 'POST', '/sandboxes', { key: A.developer, body: { cpu: 2, memoryMb: 1024 } }));
    const sb = created.json;
    const params = { id: sb.id };
    await sleep(3000);
    const w1 = await during(() => api(action.POST, 'POST', '', { key: A.developer, params }));
    await sleep(2000);
    const w2 = await during(() => api(resumeRoute.POST, 'POST', '', { key: A.developer, params }));
    await sleep(1000);
    const w3 = await during(() => api(stopRoute.POST, 'POST', '', { key: A.developer, params }));
    await sleep(1000);
    const w4 = await during(() => api(startRoute.POST, 'POST', '', { key: A.developer, params }));
    await sleep(500);
    const w5 = await during(() => api(one.DELETE, 'DELETE', '', { key: A.admin, params }));
    expect(w5.result.status).toBe(200);
    await ingestRunner('local');

    const rows = await periodsOf(sb.id);
    const compute = stretches(rows, 'compute');
    expect(compute).toHaveLength(3);
    within(compute[0]!.from, w0);
    within(compute[0]!.to, w1);
    within(compute[1]!.from, w2);
    within(compute[1]!.to, w3);
    within(compute[2]!.from, w4);
    within(compute[2]!.to, w5);
    const paused = stretches(rows, 'paused');
    expect(paused).toHaveLength(1);
    within(paused[0]!.from, w1);
    within(paused[0]!.to, w2);
    const storage = stretches(rows, 'storage');
    expect(storage).toHaveLength(1);
    within(storage[0]!.from, w3);
    within(storage[0]!.to, w4);
    expect(rows.every((r) => r.endedAt !== null)).toBe(true); // deleted: nothing left open

    // Each period's cost is the org's plan's rate card applied to it, exactly, and the API adds them up.
    const rates = await planRates(await getDb(), A.scope.orgId);
    for (const p of rows) {
      const expected = periodCost({ kind: p.kind, durationMs: p.endedAt!.getTime() - p.startedAt.getTime(), vcpuMilli: p.vcpuMilli, memoryMb: p.memoryMb, diskBytes: p.diskBytes, cpuMs: p.cpuMs }, rates);
      expect(p.costMicros).toBe(expected);
    }
    const c = rows.find((r) => r.kind === 'compute')!;
    expect([c.vcpuMilli, c.memoryMb]).toEqual([2000, 1024]);
    // 2 vCPUs at $0.0504/h and 1 GiB at $0.0162/h for ~5 s of compute: about 180 micro-dollars.
    const total = rows.reduce((s, r) => s + r.costMicros!, 0);
    const usage = await api(sandboxUsageRoute.GET, 'GET', `/sandboxes/${sb.id}/usage`, { key: A.viewer, params });
    expect(usage.status).toBe(200);
    expect(usage.json.totals.costMicros).toBe(total);
    expect(usage.json.deleted).toBe(true);
    const computeMs = compute.reduce((ms, c) => ms + (c.to! - c.from), 0);
    expect(computeMs).toBeGreaterThanOrEqual(4500); // 3 s + 1 s + 0.5 s of sleeps, plus the calls themselves
    expect(usage.json.totals.vcpuHours).toBeCloseTo((2 * computeMs) / 3.6e6, 6);
  });

  it('bills what ran while the console was away, and a TTL passing while the runner is down stops at the TTL', async () => {
    const { json: sb } = await api(list.POST, 'POST', '/sandboxes', { key: A.developer, body: { timeoutSec: 2 } });
    const expires = Date.parse(sb.expiresAt);
    await runner.kill(); // runner kill -9; the console does not ingest meanwhile either
    await sleep(3000);
    await runner.restart();
    for (let i = 0; i < 50 && (await runner.client.get(sb.id)).state !== 'stopped'; i++) await sleep(100);
    await ingestRunner('local');
    const compute = stretches(await periodsOf(sb.id), 'compute');
    expect(compute).toHaveLength(1);
    near(compute[0]!.to, expires);
    // Ingesting again changes nothing (the cursor moved with the periods).
    const before = await periodsOf(sb.id);
    await ingestRunner('local');
    expect(await periodsOf(sb.id)).toEqual(before);
  });

  it('a runner sandbox no org owns (a template build step) does not hold up the meter for anyone', async () => {
    // A template build's step sandbox: the runner's own, `bld` + 16 hex, never a console row.
    const step = `bld${Date.now().toString(16).padStart(16, '0').slice(-16)}`;
    await runner.client.create({ id: step, metadata: { warren_build: 'test' } });
    const { json: sb } = await api(list.POST, 'POST', '/sandboxes', { key: A.developer, body: {} });
    await ingestRunner('local');
    // The org's sandbox, journaled after the step sandbox, is metered at once (it used to wait a
    // minute behind the event whose row never comes).
    expect(stretches(await periodsOf(sb.id), 'compute')).toHaveLength(1);
    expect(await periodsOf(step)).toEqual([]);
    await runner.client.delete(step);
  });

  it('an org query spanning rollups and running sandboxes is exact; recomputing rollups changes nothing', async () => {
    const { json: sb } = await api(list.POST, 'POST', '/sandboxes', { key: A.developer, body: { metadata: { agent: 'alpha' } } });
    await sleep(1500);
    await ingestRunner('local');
    const db = await getDb();
    const all = await db.select().from(schema.usagePeriods).where(eq(schema.usagePeriods.orgId, A.scope.orgId));
    const closed = all.filter((p) => p.endedAt).reduce((s, p) => s + p.costMicros!, 0);
    const res = await api(usageRoute.GET, 'GET', '/usage?groupBy=metadata.agent&granularity=hour', { key: A.viewer });
    expect(res.status).toBe(200);
    expect(res.json.totals.costMicros).toBeGreaterThanOrEqual(closed);
    const open = res.json.totals.costMicros - closed;
    expect(open).toBeGreaterThanOrEqual(0);
    expect(res.json.groups.map((g: { group: string }) => g.group)).toContain('alpha');
    expect(res.json.burnRateMicrosPerHour).toBeGreaterThan(0);

    const rollups = async () => db.select().from(schema.usageHourly).where(eq(schema.usageHourly.orgId, A.scope.orgId)).orderBy(asc(schema.usageHourly.hour), asc(schema.usageHourly.subject), asc(schema.usageHourly.kind));
    const first = await rollups();
    const touched = new Touched();
    for (const r of first) touched.add(r, r.hour);
    await db.transaction((tx) => recomputeRollups(tx, touched));
    await db.transaction((tx) => recomputeRollups(tx, touched));
    expect(await rollups()).toEqual(first);
    expect(first.reduce((s, r) => s + r.costMicros, 0)).toBe(closed);

    const csv = await api(usageRoute.GET, 'GET', '/usage?format=csv&groupBy=sandbox', { key: A.viewer });
    expect(csv.text?.split('\n')[0]).toBe('bucket,group,cost_usd,cost_micros,vcpu_hours,memory_gib_hours,paused_gib_hours,storage_gib_hours,active_cpu_hours');
    expect(csv.text).toContain(sb.id);
    const listed = await api(list.GET, 'GET', '/sandboxes', { key: A.viewer });
    expect(listed.json.sandboxes.find((s: { id: string }) => s.id === sb.id).costMicros).toBeGreaterThan(0);
  });

  it('refuses bad usage queries with a clear 400, and another org sees nothing of this one', async () => {
    // Keys that exist on every object's prototype are just keys nobody set.
    const proto = await api(usageRoute.GET, 'GET', '/usage?groupBy=metadata.constructor', { key: A.viewer });
    expect(proto.status).toBe(200);
    expect(proto.json.groups.every((g: { group: string }) => g.group === '(none)')).toBe(true);
    for (const q of ['from=2026-12-02&to=2026-12-01', 'from=2020-01-01&to=2026-01-01', 'groupBy=colour', 'granularity=week', 'from=yesterday', 'from=2026-01-01&to=2026-03-01&granularity=hour']) {
      const res = await api(usageRoute.GET, 'GET', `/usage?${q}`, { key: A.viewer });
      expect(res.status, q).toBe(400);
      expect(res.json.error.code).toBe('validation_failed');
    }
    const B = await makeTestOrg();
    const theirs = await api(usageRoute.GET, 'GET', '/usage', { key: B.viewer });
    expect(theirs.json.totals.costMicros).toBe(0);
    const { json: sbs } = await api(list.GET, 'GET', '/sandboxes', { key: A.viewer });
    const peek = await api(sandboxUsageRoute.GET, 'GET', '', { key: B.viewer, params: { id: sbs.sandboxes[0].id } });
    expect(peek.status).toBe(404);
  });
});
