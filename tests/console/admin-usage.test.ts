import { eq } from 'drizzle-orm';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { GET as adminUsageRoute } from '@/app/api/admin/usage/route';
import { closeDb, getDb, schema } from '@/db';
import { orgScopeForUser } from '@/lib/auth/resolve-scope';
import { newId } from '@/lib/ids';
import { createOrg } from '@/lib/orgs/orgs';
import { hourOf } from '@/lib/usage/periods';
import { periodCost, rateCard } from '@/lib/usage/rates';
import { call, makeKey, makeSandboxRow, makeUser, req, uniq } from './helpers/fixtures';
import { signInAs } from './helpers/session';

afterAll(closeDb);
beforeEach(() => signInAs(null));

const HOUR = 3_600_000;

/** One closed hour of usage as the meter's rollup leaves it. */
async function rollup(orgId: string, hour: Date, costMicros: number, vcpus: number) {
  const db = await getDb();
  const subject = newId();
  await db.insert(schema.usageHourly).values({
    orgId,
    hour,
    subject,
    sandboxId: subject,
    kind: 'compute',
    durationMs: HOUR,
    vcpuMilliMs: String(vcpus * 1000 * HOUR),
    memMibMs: '0',
    diskByteMs: '0',
    cpuMs: 0,
    costMicros,
  });
}

describe('GET /api/admin/usage', () => {
  it('is a 404 for anyone but a platform admin, as if it did not exist', async () => {
    expect((await call(adminUsageRoute, req('GET', '/api/admin/usage'))).status).toBe(401);
    const u = await makeUser();
    signInAs(u);
    const res = await call(adminUsageRoute, req('GET', '/api/admin/usage'));
    expect(res.status).toBe(404);
    expect(res.json.error.code).toBe('not_found');
    // An org's owner key is not a person, let alone an admin.
    const org = await createOrg(u, { name: 'Key holder' });
    const key = await makeKey(await orgScopeForUser(u, org.slug), 'owner');
    signInAs(null);
    expect((await call(adminUsageRoute, req('GET', '/api/admin/usage', { key }))).status).toBe(401);
  });

  it('lists orgs by cost this month (closed hours plus what runs now), with vCPU-hours and running sandboxes', async () => {
    const admin = await makeUser('Admin');
    const db = await getDb();
    await db.update(schema.users).set({ isPlatformAdmin: true }).where(eq(schema.users.id, admin.userId));
    const marker = `usage${uniq()}`;
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((n) => createOrg(admin, { name: `Spend ${marker} ${n}` })));

    const now = new Date();
    const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
    await rollup(a!.id, hourOf(now), 3_000_000, 2);
    await rollup(b!.id, hourOf(now), 2_000_000, 1);
    // Last month's hours are not this month's cost.
    await rollup(b!.id, new Date(monthStart.getTime() - HOUR), 50_000_000, 8);
    await rollup(c!.id, hourOf(now), 1_000_000, 1);
    // C has a big sandbox running right now: its open period puts it first.
    const started = new Date(now.getTime() - 10 * 60_000);
    const counted = Math.max(started.getTime(), monthStart.getTime()); // the month's part only
    const subject = newId();
    await db
      .insert(schema.usagePeriods)
      .values({
        orgId: c!.id,
        subject,
        sandboxId: subject,
        kind: 'compute',
        startedAt: started,
        vcpuMilli: 6_400_000,
        memoryMb: 0,
      });
    await makeSandboxRow(await orgScopeForUser(admin, a!.slug));

    signInAs(admin);
    const res = await call(adminUsageRoute, req('GET', `/api/admin/usage?q=${marker}`));
    expect(res.status).toBe(200);
    const after = Date.now();
    const rows = res.json.orgs as Array<{
      slug: string;
      costMicros: number;
      vcpuHours: number;
      runningSandboxes: number;
    }>;
    expect(rows.map((r) => r.slug)).toEqual([c!.slug, a!.slug, b!.slug]);
    const [rc, ra, rb] = rows;
    expect(ra).toMatchObject({ costMicros: 3_000_000, vcpuHours: 2, runningSandboxes: 1 });
    expect(rb).toMatchObject({ costMicros: 2_000_000, vcpuHours: 1, runningSandboxes: 0 });
    const liveCost = (ms: number) =>
      periodCost({ kind: 'compute', durationMs: ms, vcpuMilli: 6_400_000, memoryMb: 0, diskBytes: 0, cpuMs: 0 }, rateCard()); // the Free plan is seeded from these
    expect(rc!.costMicros).toBeGreaterThanOrEqual(1_000_000 + liveCost(now.getTime() - counted));
    expect(rc!.costMicros).toBeLessThanOrEqual(1_000_000 + liveCost(after - counted));
    expect(rc!.vcpuHours).toBeGreaterThan(1);
    expect(res.json.from).toBe(monthStart.toISOString());

    // The platform's totals cover every org, not just the search.
    expect(res.json.totals.costMicros).toBeGreaterThanOrEqual(rows.reduce((s, r) => s + r.costMicros, 0));
    expect(res.json.totals.runningSandboxes).toBeGreaterThanOrEqual(1);

    // Pages keep the order.
    const first = await call(adminUsageRoute, req('GET', `/api/admin/usage?q=${marker}&limit=2`));
    expect(first.json.orgs.map((r: { slug: string }) => r.slug)).toEqual([c!.slug, a!.slug]);
    expect(first.json.nextOffset).toBe(2);
    const second = await call(adminUsageRoute, req('GET', `/api/admin/usage?q=${marker}&limit=2&offset=2`));
    expect(second.json).toMatchObject({ orgs: [expect.objectContaining({ slug: b!.slug })], nextOffset: null });

    expect((await call(adminUsageRoute, req('GET', '/api/admin/usage?limit=0'))).status).toBe(400);
  });
});
