import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as orgAudit from '@/app/api/admin/orgs/[id]/audit/route';
import * as credits from '@/app/api/admin/orgs/[id]/credits/route';
import * as orgPlan from '@/app/api/admin/orgs/[id]/plan/route';
import * as orgOne from '@/app/api/admin/orgs/[id]/route';
import * as suspend from '@/app/api/admin/orgs/[id]/suspend/route';
import * as orgsRoute from '@/app/api/admin/orgs/route';
import * as plansRoute from '@/app/api/admin/plans/route';
import { closeDb, getDb, schema } from '@/db';
import type { OrgScope, UserScope } from '@/lib/auth/scope';
import { newId } from '@/lib/ids';
import { createOrg } from '@/lib/orgs/orgs';
import { orgScopeForUser } from '@/lib/auth/resolve-scope';
import { hourOf } from '@/lib/usage/periods';
import { eq } from 'drizzle-orm';
import { adminCall, auditOf } from './helpers/admin';
import { makePlatformAdmin, planFor } from './helpers/billing';
import { addMember, makeUser, uniq } from './helpers/fixtures';

/** The tenants list and page: plan, status, this month's cost, balance; search, sort, filter, pages. */
let admin: UserScope;
const tag = `tenant${uniq()}`;
const o: Record<'a' | 'b' | 'c', OrgScope> = {} as never;
let planA: string;

beforeAll(async () => {
  admin = await makePlatformAdmin();
  const owner = await makeUser('Tenant owner');
  for (const k of ['a', 'b', 'c'] as const) o[k] = await orgScopeForUser(owner, (await createOrg(owner, { name: `${tag} ${k}` })).slug);
  await addMember(o.a, 'viewer');
  // a: no plan credit, a $10 grant, $3 of usage this hour → $7 left. b: suspended. c: on hold.
  planA = await planFor(o.a.orgId, { name: `Plan ${tag}`, monthlyCreditMicros: 0 });
  await adminCall(admin, credits.POST, 'POST', `/api/admin/orgs/${o.a.orgId}/credits`, { id: o.a.orgId }, { amountMicros: 10_000_000, reason: 'pilot' });
  const db = await getDb();
  const subject = newId();
  await db.insert(schema.usageHourly).values({
    orgId: o.a.orgId, hour: hourOf(new Date()), subject, sandboxId: subject, kind: 'compute',
    durationMs: 3_600_000, vcpuMilliMs: '0', memMibMs: '0', diskByteMs: '0', cpuMs: 0, costMicros: 3_000_000,
  });
  await adminCall(admin, suspend.POST, 'POST', `/api/admin/orgs/${o.b.orgId}/suspend`, { id: o.b.orgId }, { reason: 'fraud review' });
  const now = new Date();
  await db.insert(schema.billingHolds).values({ orgId: o.c.orgId, reason: 'balance_exhausted', since: now, stopsAt: new Date(now.getTime() + 60_000) });
});
afterAll(closeDb);

const list = (qs: string) => adminCall(admin, orgsRoute.GET, 'GET', `/api/admin/orgs?q=${tag}&${qs}`);
const slugs = (res: { json: { orgs: Array<{ slug: string }> } }) => res.json.orgs.map((r) => r.slug);

describe('GET /api/admin/orgs (tenants)', () => {
  it('shows each org’s plan, status, cost this month and balance', async () => {
    const res = await list('sort=name');
    expect(res.status).toBe(200);
    const [a, b, c] = res.json.orgs;
    expect(a).toMatchObject({ slug: o.a.orgSlug, plan: { id: planA, name: `Plan ${tag}` }, status: 'active', costMicros: 3_000_000, balanceMicros: 7_000_000, memberCount: 2 });
    expect(b).toMatchObject({ slug: o.b.orgSlug, plan: { id: 'free', name: 'Free' }, status: 'suspended', suspendedReason: 'fraud review', costMicros: 0 });
    expect(c).toMatchObject({ slug: o.c.orgSlug, status: 'on_hold', hold: { reason: 'balance_exhausted', stoppedAt: null } });
  });

  it('sorts, filters by status and pages', async () => {
    expect(slugs(await list('sort=name'))).toEqual([o.a.orgSlug, o.b.orgSlug, o.c.orgSlug]);
    expect(slugs(await list('sort=name&dir=desc'))).toEqual([o.c.orgSlug, o.b.orgSlug, o.a.orgSlug]);
    expect(slugs(await list('sort=cost'))[0]).toBe(o.a.orgSlug);
    expect(slugs(await list('sort=cost&dir=asc')).at(-1)).toBe(o.a.orgSlug);
    expect(slugs(await list('sort=members'))[0]).toBe(o.a.orgSlug);
    expect(slugs(await list('status=suspended'))).toEqual([o.b.orgSlug]);
    expect(slugs(await list('status=on_hold'))).toEqual([o.c.orgSlug]);
    expect(slugs(await list('status=active'))).toEqual([o.a.orgSlug]);
    const first = await list('sort=name&limit=2');
    expect(slugs(first)).toEqual([o.a.orgSlug, o.b.orgSlug]);
    const second = await list(`sort=name&limit=2&cursor=${first.json.nextCursor}`);
    expect(second.json).toMatchObject({ nextCursor: null });
    expect(slugs(second)).toEqual([o.c.orgSlug]);
    const newest = await list('limit=2');
    expect(slugs(newest)).toEqual([o.c.orgSlug, o.b.orgSlug]);
    expect(slugs(await list(`limit=2&cursor=${newest.json.nextCursor}`))).toEqual([o.a.orgSlug]);
    for (const bad of ['sort=balance', 'dir=up', 'status=frozen', 'limit=0', 'cursor=%%%', 'cursor=bm9wZQ']) {
      expect((await list(bad)).status, bad).toBe(400);
    }
  });
});

describe('GET /api/admin/orgs/:id and …/audit (the tenant page)', () => {
  it('gives the org, its status, members and holdings, and its audit log with the admin’s actions', async () => {
    const res = await adminCall(admin, orgOne.GET, 'GET', `/api/admin/orgs/${o.b.orgId}`, { id: o.b.orgId });
    expect(res.status).toBe(200);
    expect(res.json.org).toMatchObject({ slug: o.b.orgSlug, status: 'suspended', suspended: { reason: 'fraud review' }, plan: { id: 'free' } });
    expect(res.json.members).toEqual([expect.objectContaining({ role: 'owner', email: expect.stringContaining('@'), disabledAt: null })]);
    const detailA = await adminCall(admin, orgOne.GET, 'GET', `/api/admin/orgs/${o.a.orgId}`, { id: o.a.orgId });
    expect(detailA.json.members.map((m: { role: string }) => m.role)).toEqual(['owner', 'viewer']);

    const audit = await adminCall(admin, orgAudit.GET, 'GET', `/api/admin/orgs/${o.b.orgId}/audit?limit=5`, { id: o.b.orgId });
    // (Listing balances granted this month's plan credit since: that event is newer.)
    expect(audit.json.events).toContainEqual(expect.objectContaining({ action: 'org.suspend', actor: expect.objectContaining({ type: 'user', label: admin.email }), data: { reason: 'fraud review' } }));
    expect((await adminCall(admin, orgAudit.GET, 'GET', `/api/admin/orgs/${o.b.orgId}/audit?limit=500`, { id: o.b.orgId })).status).toBe(400);
  });
});

describe('a custom plan for one org', () => {
  it('is created for that org (by URL name), listed with it, and no other org can be put on it', async () => {
    const id = `for-${uniq()}`;
    const made = await adminCall(admin, plansRoute.POST, 'POST', '/api/admin/plans', {}, { id, name: 'Enterprise deal', org: o.c.orgSlug, priceMicros: 500_000_000 });
    expect(made).toMatchObject({ status: 201, json: { plan: { id, orgId: o.c.orgId, custom: true, priceMicros: 500_000_000 } } });
    expect((await auditOf('plan.create', id))[0]).toMatchObject({ actorId: admin.userId, data: expect.objectContaining({ orgId: o.c.orgId }) });

    const assign = (org: OrgScope) => adminCall(admin, orgPlan.POST, 'POST', `/api/admin/orgs/${org.orgId}/plan`, { id: org.orgId }, { planId: id });
    expect(await assign(o.a)).toMatchObject({ status: 409, json: { error: { message: expect.stringMatching(/another organization/) } } });
    expect((await assign(o.c)).status).toBe(200);
    const listed = (await adminCall(admin, plansRoute.GET, 'GET', '/api/admin/plans')).json.plans.find((p: { id: string }) => p.id === id);
    expect(listed).toMatchObject({ org: { id: o.c.orgId, slug: o.c.orgSlug }, orgCount: 1 });
  });

  it('an unknown org is a 400 on the field, and no plan is stored', async () => {
    const id = `nope-${uniq()}`;
    const res = await adminCall(admin, plansRoute.POST, 'POST', '/api/admin/plans', {}, { id, name: 'x', org: `no-such-${uniq()}` });
    expect(res).toMatchObject({ status: 400, json: { error: { issues: [{ path: 'org' }] } } });
    expect(await (await getDb()).select().from(schema.plans).where(eq(schema.plans.id, id))).toEqual([]);
  });
});
