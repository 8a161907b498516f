import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as orgBilling from '@/app/api/admin/orgs/[id]/billing/route';
import * as credits from '@/app/api/admin/orgs/[id]/credits/route';
import * as limits from '@/app/api/admin/orgs/[id]/limits/route';
import * as orgPlan from '@/app/api/admin/orgs/[id]/plan/route';
import * as suspend from '@/app/api/admin/orgs/[id]/suspend/route';
import * as unsuspend from '@/app/api/admin/orgs/[id]/unsuspend/route';
import * as planById from '@/app/api/admin/plans/[id]/route';
import * as plans from '@/app/api/admin/plans/route';
import * as billing from '@/app/api/v1/billing/route';
import * as quotas from '@/app/api/v1/quotas/route';
import { closeDb, getDb, schema } from '@/db';
import { ROLES, type Role } from '@/lib/auth/permissions';
import type { OrgScope, UserScope } from '@/lib/auth/scope';
import { makePlatformAdmin } from './helpers/billing';
import { addMember, call, makeKey, makeOrg, makeUser, req } from './helpers/fixtures';
import { signInAs } from './helpers/session';

/** Who may call each new route, and bad input everywhere: a 400 and nothing stored. */
let scope: OrgScope;
let keys: Record<Role, string>;
let admin: UserScope;
let stranger: UserScope;
beforeAll(async () => {
  ({ scope } = await makeOrg());
  keys = Object.fromEntries(await Promise.all(ROLES.map(async (r) => [r, await makeKey(scope, r)] as const))) as Record<Role, string>;
  [admin, stranger] = await Promise.all([makePlatformAdmin(), makeUser()]);
});
afterAll(async () => {
  signInAs(null);
  await closeDb();
});

type Route = Parameters<typeof call>[0];
const v1 = (route: Route, method: string, path: string, key: string, body?: unknown) => call(route, req(method, `/api/v1${path}`, { key, body }));

describe('the role matrix of /api/v1/quotas and /api/v1/billing', () => {
  const expected: Record<string, Record<Role, number>> = {
    'GET /quotas': { owner: 200, admin: 200, developer: 200, viewer: 200, billing: 200 },
    'GET /billing': { owner: 200, admin: 200, developer: 403, viewer: 403, billing: 200 },
    'PATCH /billing': { owner: 200, admin: 403, developer: 403, viewer: 403, billing: 200 },
  };
  const routes: Record<string, [Route, string, string, unknown?]> = {
    'GET /quotas': [quotas.GET, 'GET', '/quotas'],
    'GET /billing': [billing.GET, 'GET', '/billing'],
    'PATCH /billing': [billing.PATCH, 'PATCH', '/billing', { spendAlertMicros: 1_000_000 }],
  };
  for (const [name, [route, method, path, body]] of Object.entries(routes)) {
    it(`${name}`, async () => {
      const got = Object.fromEntries(await Promise.all(ROLES.map(async (r) => [r, (await v1(route, method, path, keys[r], body)).status] as const)));
      expect(got).toEqual(expected[name]);
    });
  }

  it('a signed-in billing member reads and sets billing; a viewer member reads quotas only', async () => {
    const { user: biller } = await addMember(scope, 'billing');
    const { user: viewer } = await addMember(scope, 'viewer');
    const asUser = (u: UserScope, route: Route, method: string, path: string, body?: unknown) => {
      signInAs(u);
      return call(route, req(method, `/api/v1${path}`, { body, headers: { 'x-warren-org': scope.orgSlug } }));
    };
    expect((await asUser(biller, billing.PATCH, 'PATCH', '/billing', { spendLimitMicros: 9_000_000 })).json.spend.limitMicros).toBe(9_000_000);
    expect((await asUser(viewer, quotas.GET, 'GET', '/quotas')).status).toBe(200);
    expect((await asUser(viewer, billing.GET, 'GET', '/billing')).status).toBe(403);
    expect((await asUser(stranger, quotas.GET, 'GET', '/quotas')).status).toBe(404);
    signInAs(null);
  });
});

describe('/api/admin: platform admins only', () => {
  const id = () => scope.orgId;
  const cases = (): Array<[string, Route, string, string, Record<string, string>, unknown?]> => [
    ['GET plans', plans.GET, 'GET', '/api/admin/plans', {}],
    ['POST plans', plans.POST, 'POST', '/api/admin/plans', {}, { id: 'never-made', name: 'x' }],
    ['GET plan', planById.GET, 'GET', '/api/admin/plans/free', { id: 'free' }],
    ['PATCH plan', planById.PATCH, 'PATCH', '/api/admin/plans/free', { id: 'free' }, { maxSandboxes: 1 }],
    ['GET credits', credits.GET, 'GET', `/api/admin/orgs/${id()}/credits`, { id: id() }],
    ['POST credits', credits.POST, 'POST', `/api/admin/orgs/${id()}/credits`, { id: id() }, { amountMicros: 1, reason: 'x' }],
    ['POST suspend', suspend.POST, 'POST', `/api/admin/orgs/${id()}/suspend`, { id: id() }, { reason: 'x' }],
    ['POST unsuspend', unsuspend.POST, 'POST', `/api/admin/orgs/${id()}/unsuspend`, { id: id() }],
    ['POST plan', orgPlan.POST, 'POST', `/api/admin/orgs/${id()}/plan`, { id: id() }, { planId: 'team' }],
    ['PATCH limits', limits.PATCH, 'PATCH', `/api/admin/orgs/${id()}/limits`, { id: id() }, { maxSandboxes: 1 }],
    ['GET billing', orgBilling.GET, 'GET', `/api/admin/orgs/${id()}/billing`, { id: id() }],
  ];

  it('answers 404 to signed-in non-admins (the org’s owner too) and 401 to API keys and strangers, changing nothing', async () => {
    const { owner } = await makeOrg();
    for (const [name, route, method, path, params, body] of cases()) {
      for (const who of [stranger, owner]) {
        signInAs(who);
        const res = await call(route, req(method, path, { body }), params);
        expect(res.status, `${name} as a non-admin`).toBe(404);
      }
      signInAs(null);
      expect((await call(route, req(method, path, { body }), params)).status, `${name} signed out`).toBe(401);
      expect((await call(route, req(method, path, { body, key: keys.owner }), params)).status, `${name} with an API key`).toBe(401);
    }
    const db = await getDb();
    const [org] = await db.select().from(schema.orgs).where(eq(schema.orgs.id, scope.orgId));
    expect(org).toMatchObject({ planId: 'free', suspendedAt: null });
    expect(await db.select().from(schema.creditGrants).where(eq(schema.creditGrants.kind, 'admin'))).not.toContainEqual(expect.objectContaining({ orgId: scope.orgId }));
    expect(await db.select().from(schema.plans).where(eq(schema.plans.id, 'never-made'))).toEqual([]);
  });

  it('answers 404 for an org that does not exist, and nothing is stored', async () => {
    signInAs(admin);
    for (const [name, route, method, path, params, body] of cases().filter(([n]) => /credits|suspend|plan$|limits|billing/.test(n) && !/plans/.test(n))) {
      for (const missing of ['nope0000000000000000', 'x', '../etc']) {
        const res = await call(route, req(method, path.replace(scope.orgId, missing), { body }), { ...params, id: missing });
        expect(res.status, `${name} ${missing}`).toBe(404);
      }
    }
    signInAs(null);
  });
});
