import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as credits from '@/app/api/admin/orgs/[id]/credits/route';
import * as limits from '@/app/api/admin/orgs/[id]/limits/route';
import * as orgPlan from '@/app/api/admin/orgs/[id]/plan/route';
import * as suspend from '@/app/api/admin/orgs/[id]/suspend/route';
import * as billing from '@/app/api/v1/billing/route';
import { closeDb, getDb, schema } from '@/db';
import type { OrgScope } from '@/lib/auth/scope';
import { makePlatformAdmin } from './helpers/billing';
import { call, makeKey, makeOrg, req } from './helpers/fixtures';
import { signInAs } from './helpers/session';

/** Every new body refuses what it cannot hold with a 400 (404 for a plan that does not exist) and stores nothing. */
let scope: OrgScope;
let ownerKey: string;
beforeAll(async () => {
  ({ scope } = await makeOrg());
  ownerKey = await makeKey(scope, 'owner');
  signInAs(await makePlatformAdmin());
});
afterAll(async () => {
  signInAs(null);
  await closeDb();
});

/** What any of these requests could have changed, as one comparable value. */
async function state() {
  const db = await getDb();
  const [org] = await db.select().from(schema.orgs).where(eq(schema.orgs.id, scope.orgId));
  const grants = await db.select().from(schema.creditGrants).where(eq(schema.creditGrants.orgId, scope.orgId));
  const over = await db.select().from(schema.orgSandboxLimits).where(eq(schema.orgSandboxLimits.orgId, scope.orgId));
  const audit = await db.select().from(schema.auditEvents).where(eq(schema.auditEvents.orgId, scope.orgId));
  return JSON.stringify({ org, grants: grants.length, over, audit: audit.length });
}

type Route = Parameters<typeof call>[0];
const NASTY = [null, 'text', true, [], {}, -1, 1.5, 1e300, Number.MAX_SAFE_INTEGER + 2, '\u0000'];

async function refusesAll(route: Route, method: string, path: string, params: Record<string, string>, bodies: unknown[], opts: { key?: string; raw?: string[] } = {}) {
  const before = await state();
  for (const body of bodies) {
    const res = await call(route, req(method, path, { body, key: opts.key }), params);
    expect(res.status, JSON.stringify(body)).toBe(400);
    expect(res.json.error.code).toMatch(/validation_failed|bad_request/);
  }
  for (const rawBody of opts.raw ?? []) expect((await call(route, req(method, path, { rawBody, key: opts.key }), params)).status).toBe(400);
  expect(await state()).toBe(before);
}

describe('bad input to the billing routes', () => {
  it('PATCH /api/v1/billing', async () => {
    await refusesAll(
      billing.PATCH,
      'PATCH',
      '/api/v1/billing',
      {},
      [{}, { other: 1 }, ...NASTY.filter((v) => v !== null).flatMap((v) => [{ spendLimitMicros: v }, { spendAlertMicros: v }]), { spendLimitMicros: 5, spendAlertMicros: 5 }, { spendLimitMicros: 1e16 }],
      { key: ownerKey, raw: ['{', '[]', 'null', '{"spendLimitMicros":1}{}'] },
    );
  });

  it('POST /api/admin/orgs/:id/credits', async () => {
    const ok = { amountMicros: 1000, reason: 'goodwill' };
    await refusesAll(credits.POST, 'POST', `/api/admin/orgs/${scope.orgId}/credits`, { id: scope.orgId }, [
      {},
      { reason: 'x' },
      { amountMicros: 5 },
      ...NASTY.map((v) => ({ ...ok, amountMicros: v })),
      { ...ok, amountMicros: 0 },
      { ...ok, reason: '' },
      { ...ok, reason: 'bell\u0007' },
      { ...ok, reason: 'x'.repeat(501) },
      { ...ok, expiresAt: '2020-01-01T00:00:00Z' },
      { ...ok, expiresAt: 'tomorrow' },
      { ...ok, kind: 'monthly' },
      { ...ok, grantedBy: 'me' },
    ]);
  });

  it('POST /api/admin/orgs/:id/suspend, …/plan and PATCH …/limits', async () => {
    const p = { id: scope.orgId };
    await refusesAll(suspend.POST, 'POST', `/api/admin/orgs/${scope.orgId}/suspend`, p, [{}, { reason: '' }, { reason: 5 }, { reason: 'x', until: 1 }]);
    await refusesAll(orgPlan.POST, 'POST', `/api/admin/orgs/${scope.orgId}/plan`, p, [{}, { planId: 'Not A Plan' }, { planId: 5 }, { planId: 'pro', x: 1 }]);
    await refusesAll(limits.PATCH, 'PATCH', `/api/admin/orgs/${scope.orgId}/limits`, p, [
      {},
      { maxSandboxes: -1 },
      { maxSandboxes: 1.5 },
      { maxCpu: 0.001 },
      { maxCpu: 65 },
      { maxSnapshotBytes: 2 ** 51 },
      { apiRequestsPerMinute: 0 },
      { bogus: 1 },
    ]);
    const before = await state();
    expect((await call(orgPlan.POST, req('POST', '', { body: { planId: 'no-such-plan' } }), p)).status).toBe(404);
    expect(await state()).toBe(before);
  });
});
