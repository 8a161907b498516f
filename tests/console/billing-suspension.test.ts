import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as suspendRoute from '@/app/api/admin/orgs/[id]/suspend/route';
import * as unsuspendRoute from '@/app/api/admin/orgs/[id]/unsuspend/route';
import * as billingRoute from '@/app/api/v1/billing/route';
import * as orgRoute from '@/app/api/v1/org/route';
import * as quotasRoute from '@/app/api/v1/quotas/route';
import * as execRoute from '@/app/api/v1/sandboxes/[id]/exec/route';
import * as startRoute from '@/app/api/v1/sandboxes/[id]/start/route';
import * as list from '@/app/api/v1/sandboxes/route';
import * as usageRoute from '@/app/api/v1/usage/route';
import { getDb, schema } from '@/db';
import type { UserScope } from '@/lib/auth/scope';
import { enforceBilling } from '@/lib/billing/enforcer';
import type { RunnerHandle } from '../runner/harness';
import { makePlatformAdmin } from './helpers/billing';
import { call, req } from './helpers/fixtures';
import { signInAs } from './helpers/session';
import { api, makeTestOrg, type TestOrg, teardown, useRunner } from './sandboxes-fixture';

/**
 * A suspended org: its API answers 403 org_suspended for everything but reads of its billing,
 * usage, quotas and the org itself; its sandboxes are stopped (kept); unsuspending restores it.
 */
let runner: RunnerHandle;
let admin: UserScope;
let o: TestOrg;
beforeAll(async () => {
  [runner, admin, o] = await Promise.all([useRunner(), makePlatformAdmin(), makeTestOrg()]);
});
afterAll(() => teardown(runner));

const asAdmin = async (route: typeof unsuspendRoute.POST, action: string, body?: object) => {
  signInAs(admin);
  try {
    return await call(route, req('POST', `/api/admin/orgs/${o.scope.orgId}/${action}`, { body }), { id: o.scope.orgId });
  } finally {
    signInAs(null);
  }
};
const exec = (id: string, cmd: string) => api(execRoute.POST, 'POST', '', { key: o.developer, body: { cmd }, params: { id } });

describe('suspension', () => {
  it('stops the org’s sandboxes, refuses its API but for billing and usage reads, and unsuspending restores it', async () => {
    const id = (await api(list.POST, 'POST', '/sandboxes', { key: o.developer, body: {} })).json.id as string;
    await exec(id, 'echo still-here > /home/user/f.txt');

    const suspended = await asAdmin(suspendRoute.POST, 'suspend', { reason: 'unpaid invoice' });
    expect(suspended.status).toBe(200);
    expect(suspended.json).toMatchObject({ reason: 'unpaid invoice', stopped: [id], failed: [] });
    expect((await runner.client.get(id)).state).toBe('stopped');
    expect((await asAdmin(suspendRoute.POST, 'suspend', { reason: 'again' })).status).toBe(409);

    const create = await api(list.POST, 'POST', '/sandboxes', { key: o.developer, body: {} });
    expect(create.status).toBe(403);
    expect(create.json.error).toMatchObject({ code: 'org_suspended', message: expect.stringContaining('unpaid invoice'), details: { reason: 'unpaid invoice' } });
    for (const refused of [
      await api(list.GET, 'GET', '/sandboxes', { key: o.viewer }),
      await api(startRoute.POST, 'POST', '', { key: o.developer, params: { id } }),
      await api(billingRoute.PATCH, 'PATCH', '/billing', { key: o.owner, body: { spendAlertMicros: 5 } }),
    ]) {
      expect(refused.status).toBe(403);
      expect(refused.json.error.code).toBe('org_suspended');
    }
    const billing = await api(billingRoute.GET, 'GET', '/billing', { key: o.owner });
    expect(billing.status).toBe(200);
    expect(billing.json.status).toMatchObject({ blocked: 'suspended', suspended: { reason: 'unpaid invoice' } });
    expect((await api(usageRoute.GET, 'GET', '/usage', { key: o.viewer })).status).toBe(200);
    expect((await api(quotasRoute.GET, 'GET', '/quotas', { key: o.viewer })).json.status.blocked).toBe('suspended');
    expect((await api(orgRoute.GET, 'GET', '/org', { key: o.viewer })).status).toBe(200);
    // The enforcer finds nothing left running and keeps the org on hold.
    expect((await enforceBilling({ orgId: o.scope.orgId }))[0]).toMatchObject({ blocked: 'suspended', stopped: [] });

    expect((await asAdmin(unsuspendRoute.POST, 'unsuspend')).status).toBe(200);
    expect((await asAdmin(unsuspendRoute.POST, 'unsuspend')).status).toBe(409);
    expect((await api(startRoute.POST, 'POST', '', { key: o.developer, params: { id } })).status).toBe(200);
    expect((await exec(id, 'cat /home/user/f.txt')).json.stdout).toBe('still-here\n');
    expect((await api(list.POST, 'POST', '/sandboxes', { key: o.developer, body: {} })).status).toBe(201);
    expect((await api(billingRoute.GET, 'GET', '/billing', { key: o.owner })).json.status).toMatchObject({ blocked: null, suspended: null, hold: null });

    const db = await getDb();
    const log = await db.select().from(schema.auditEvents).where(and(eq(schema.auditEvents.orgId, o.scope.orgId)));
    const actions = log.map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['org.suspend', 'org.unsuspend']));
    expect(log.find((e) => e.action === 'org.suspend')).toMatchObject({ actorType: 'user', actorId: admin.userId, data: { reason: 'unpaid invoice' } });
    expect(log.find((e) => e.action === 'sandbox.stop')).toMatchObject({ actorType: 'system', actorLabel: `suspension by ${admin.email}`, targetId: id });
  });
});
