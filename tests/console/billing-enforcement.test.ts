import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as creditsRoute from '@/app/api/admin/orgs/[id]/credits/route';
import * as billingRoute from '@/app/api/v1/billing/route';
import * as execRoute from '@/app/api/v1/sandboxes/[id]/exec/route';
import * as one from '@/app/api/v1/sandboxes/[id]/route';
import * as startRoute from '@/app/api/v1/sandboxes/[id]/start/route';
import * as list from '@/app/api/v1/sandboxes/route';
import { getDb, schema } from '@/db';
import { enforceBilling } from '@/lib/billing/enforcer';
import { orgStanding } from '@/lib/billing/standing';
import { ingestRunner } from '@/lib/usage/ingest';
import type { RunnerHandle } from '../runner/harness';
import { makePlatformAdmin, planFor } from './helpers/billing';
import { call, req } from './helpers/fixtures';
import { signInAs } from './helpers/session';
import { api, makeTestOrg, type TestOrg, teardown, useRunner } from './sandboxes-fixture';

/**
 * When an org cannot pay, its running sandboxes are stopped — never deleted — after the grace
 * period, with an audit entry and a status the console's banner shows; creating or starting
 * anything is refused until it can pay again. Real sandboxes, the real meter, plans with rates
 * high enough that a few seconds cost what a month would.
 */
let runner: RunnerHandle;
beforeAll(async () => {
  runner = await useRunner();
});
afterAll(() => teardown(runner));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** $1,000 per vCPU-hour: 0.28 micro-dollars per vCPU-millisecond. */
const PRICEY = { vcpuHourMicros: 1_000_000_000, memoryGibHourMicros: 0 };

async function until(orgId: string, pred: (s: Awaited<ReturnType<typeof orgStanding>>) => boolean) {
  for (let i = 0; i < 60; i++) {
    await ingestRunner('local');
    const s = await orgStanding(orgId);
    if (pred(s)) return s;
    await sleep(250);
  }
  throw new Error('the org never got there');
}
const exec = (o: TestOrg, id: string, cmd: string) => api(execRoute.POST, 'POST', '', { key: o.developer, body: { cmd }, params: { id } });
const audits = async (orgId: string, action: string) =>
  (await getDb()).select().from(schema.auditEvents).where(and(eq(schema.auditEvents.orgId, orgId), eq(schema.auditEvents.action, action)));

describe('running out of credit', () => {
  it('stops running sandboxes after the grace period, keeps their files, and lets them start again after a top-up', async () => {
    const o = await makeTestOrg();
    await planFor(o.scope.orgId, { ...PRICEY, monthlyCreditMicros: 1000 });
    const sb = await api(list.POST, 'POST', '/sandboxes', { key: o.developer, body: { cpu: 2 } });
    expect(sb.status).toBe(201);
    const id = sb.json.id as string;
    expect((await exec(o, id, 'echo keep-me > /home/user/keep.txt')).json.exitCode).toBe(0);

    const s = await until(o.scope.orgId, (x) => x.blocked !== null);
    expect(s).toMatchObject({ blocked: 'balance_exhausted', hasPaymentMethod: false });
    expect(s.balance.balanceMicros).toBe(0);
    const refused = await api(list.POST, 'POST', '/sandboxes', { key: o.developer, body: {} });
    expect(refused.status).toBe(402);
    expect(refused.json.error).toMatchObject({ code: 'payment_required', details: { balanceMicros: 0, hasPaymentMethod: false } });

    // Within the grace period nothing stops; the billing status says when it will.
    const first = await enforceBilling({ orgId: o.scope.orgId, graceMs: 1500 });
    expect(first).toEqual([expect.objectContaining({ blocked: 'balance_exhausted', stopped: [] })]);
    expect((await runner.client.get(id)).state).toBe('running');
    const during = await api(billingRoute.GET, 'GET', '/billing', { key: o.owner });
    expect(during.json.status).toMatchObject({ blocked: 'balance_exhausted', hold: { reason: 'balance_exhausted', stoppedAt: null } });
    expect(Date.parse(during.json.status.hold.stopsAt) - Date.parse(during.json.status.hold.since)).toBe(1500);

    await sleep(1600);
    const second = await enforceBilling({ orgId: o.scope.orgId, graceMs: 1500 });
    expect(second[0]!.stopped).toEqual([id]);
    expect((await runner.client.get(id)).state).toBe('stopped');
    const row = await api(one.GET, 'GET', '', { key: o.viewer, params: { id } });
    expect(row.json).toMatchObject({ state: 'stopped', desiredState: 'stopped' });
    const after = await api(billingRoute.GET, 'GET', '/billing', { key: o.owner });
    expect(after.json.status.hold).toMatchObject({ stoppedAt: expect.any(String), stoppedSandboxes: [id] });
    expect(await audits(o.scope.orgId, 'billing.sandboxes_stopped')).toHaveLength(1);
    const stops = await audits(o.scope.orgId, 'sandbox.stop');
    expect(stops).toEqual([expect.objectContaining({ actorType: 'system', actorLabel: 'billing', targetId: id, data: { reason: 'billing: balance_exhausted' } })]);
    // Stopped, not deleted; and it cannot start while the org cannot pay.
    expect((await api(startRoute.POST, 'POST', '', { key: o.developer, params: { id } })).status).toBe(402);

    // A platform admin tops the org up; the next pass lifts the hold; the sandbox starts with its files.
    signInAs(await makePlatformAdmin());
    try {
      const grant = await call(creditsRoute.POST, req('POST', `/api/admin/orgs/${o.scope.orgId}/credits`, { body: { amountMicros: 50_000_000, reason: 'top-up' } }), { id: o.scope.orgId });
      expect(grant.status).toBe(201);
    } finally {
      signInAs(null);
    }
    expect((await enforceBilling({ orgId: o.scope.orgId, graceMs: 1500 }))[0]!.blocked).toBeNull();
    expect(await audits(o.scope.orgId, 'billing.hold_lifted')).toHaveLength(1);
    expect((await api(startRoute.POST, 'POST', '', { key: o.developer, params: { id } })).status).toBe(200);
    expect((await exec(o, id, 'cat /home/user/keep.txt')).json.stdout).toBe('keep-me\n');
    await api(one.DELETE, 'DELETE', '', { key: o.admin, params: { id } });
  });
});

describe('the spend limit', () => {
  it('records the alert and the limit once, stops what runs, refuses creates until the limit is raised', async () => {
    const o = await makeTestOrg();
    await planFor(o.scope.orgId, { ...PRICEY, monthlyCreditMicros: 1_000_000_000 });
    const set = await api(billingRoute.PATCH, 'PATCH', '/billing', { key: o.owner, body: { spendLimitMicros: 600, spendAlertMicros: 200 } });
    expect(set.status).toBe(200);
    expect(set.json.spend).toMatchObject({ limitMicros: 600, alertMicros: 200 });
    const id = (await api(list.POST, 'POST', '/sandboxes', { key: o.developer, body: { cpu: 1 } })).json.id as string;

    await until(o.scope.orgId, (x) => x.limitReached);
    // Two consoles' enforcers at once: one notice of each kind, one audit each, the sandbox stopped.
    await Promise.all([enforceBilling({ orgId: o.scope.orgId, graceMs: 0 }), enforceBilling({ orgId: o.scope.orgId, graceMs: 0 })]);
    await enforceBilling({ orgId: o.scope.orgId, graceMs: 0 });
    const notices = await (await getDb()).select().from(schema.billingNotices).where(eq(schema.billingNotices.orgId, o.scope.orgId));
    expect(notices.map((n) => [n.kind, n.thresholdMicros]).sort()).toEqual([
      ['spend_alert', 200],
      ['spend_limit', 600],
    ]);
    expect(await audits(o.scope.orgId, 'billing.spend_alert')).toHaveLength(1);
    expect(await audits(o.scope.orgId, 'billing.spend_limit_reached')).toHaveLength(1);
    expect((await runner.client.get(id)).state).toBe('stopped');

    const refused = await api(list.POST, 'POST', '/sandboxes', { key: o.developer, body: {} });
    expect(refused.status).toBe(402);
    expect(refused.json.error).toMatchObject({ code: 'spend_limit_reached', details: { limitMicros: 600, spentMicros: expect.any(Number) } });
    expect(refused.json.error.details.spentMicros).toBeGreaterThanOrEqual(600);
    const billing = await api(billingRoute.GET, 'GET', '/billing', { key: o.owner });
    expect(billing.json.status).toMatchObject({ blocked: 'spend_limit', limitReached: true, alertCrossed: true });

    // The alert must stay below the limit; a bad pair changes nothing.
    const bad = await api(billingRoute.PATCH, 'PATCH', '/billing', { key: o.owner, body: { spendLimitMicros: 100 } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.issues).toEqual([{ path: 'spendAlertMicros', message: 'The spend alert must be below the spend limit' }]);
    const raised = await api(billingRoute.PATCH, 'PATCH', '/billing', { key: o.owner, body: { spendLimitMicros: 1_000_000_000 } });
    expect(raised.json.spend.limitMicros).toBe(1_000_000_000);
    expect((await api(startRoute.POST, 'POST', '', { key: o.developer, params: { id } })).status).toBe(200);
    await api(one.DELETE, 'DELETE', '', { key: o.admin, params: { id } });
  });
});
