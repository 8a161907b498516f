import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as orgRoute from '@/app/api/v1/org/route';
import * as quotasRoute from '@/app/api/v1/quotas/route';
import { closeDb, getDb } from '@/db';
import type { OrgScope, UserScope } from '@/lib/auth/scope';
import { setOrgLimits } from '@/lib/sandboxes/limits';
import { planFor } from './helpers/billing';
import { call, makeKey, makeOrg, req } from './helpers/fixtures';
import { signInAs } from './helpers/session';
import { api } from './sandboxes-fixture';

/**
 * The per-key API rate limit: a token bucket per key in Postgres, so racing requests (and
 * several consoles) share one count. Over it: 429 rate_limited with Retry-After.
 */
let scope: OrgScope;
let owner: UserScope;
beforeAll(async () => {
  ({ scope, owner } = await makeOrg());
  await planFor(scope.orgId, { apiRequestsPerMinute: 5 });
});
afterAll(closeDb);

const get = (key: string) => api(quotasRoute.GET, 'GET', '/quotas', { key });

/**
 * The status of one request of `key` while another transaction holds the bucket row of the key
 * named `keyName`: a request that had to take its token then would wait ('waited' after 1.5 s).
 */
async function statusWhileBucketHeld(orgId: string, keyName: string, key: string): Promise<number | 'waited'> {
  let release = () => {};
  const held = new Promise<void>((r) => {
    release = r;
  });
  let locked = () => {};
  const isLocked = new Promise<void>((r) => {
    locked = r;
  });
  const db = await getDb();
  const holder = db.transaction(async (tx) => {
    await tx.execute(sql`select 1 from api_rate_buckets b join api_keys k on k.id = b.api_key_id where k.org_id = ${orgId} and k.name = ${keyName} for update of b`);
    locked();
    await held;
  });
  await isLocked;
  try {
    return await Promise.race([get(key).then((r) => r.status), new Promise<'waited'>((r) => setTimeout(() => r('waited'), 1500))]);
  } finally {
    release();
    await holder;
  }
}

describe('API requests per minute per key', () => {
  it('12 racing requests at 5 per minute: exactly 5 pass, the rest get 429 with Retry-After', async () => {
    const key = await makeKey(scope, 'viewer');
    const results = await Promise.all(Array.from({ length: 12 }, () => get(key)));
    const ok = results.filter((r) => r.status === 200);
    const limited = results.filter((r) => r.status === 429);
    expect([ok.length, limited.length]).toEqual([5, 7]);
    const first = limited[0]!;
    expect(first.json.error).toMatchObject({ code: 'rate_limited', details: { limit: 'apiRequestsPerMinute', max: 5, retryAfterSec: expect.any(Number) } });
    // One token every 12 s at 5 per minute.
    const retry = Number(first.res.headers.get('retry-after'));
    expect(retry).toBeGreaterThanOrEqual(10);
    expect(retry).toBeLessThanOrEqual(12);
    expect(first.json.error.details.retryAfterSec).toBe(retry);
    // Every route of the org counts against the same bucket.
    expect((await api(orgRoute.GET, 'GET', '/org', { key })).status).toBe(429);
  });

  it('each key has its own bucket, and the console’s own (session) requests are not limited', async () => {
    const busy = await makeKey(scope, 'viewer');
    await Promise.all(Array.from({ length: 6 }, () => get(busy)));
    expect((await get(busy)).status).toBe(429);
    expect((await get(await makeKey(scope, 'viewer'))).status).toBe(200);
    signInAs(owner);
    try {
      const session = await Promise.all(Array.from({ length: 8 }, () => call(quotasRoute.GET, req('GET', '/api/v1/quotas', { headers: { 'x-warren-org': scope.orgSlug } }))));
      expect(session.map((r) => r.status)).toEqual(Array(8).fill(200));
    } finally {
      signInAs(null);
    }
  });

  it('an org override beats the plan, at once; the quotas show the busiest key’s use', async () => {
    const key = await makeKey(scope, 'viewer');
    await Promise.all(Array.from({ length: 6 }, () => get(key)));
    expect((await get(key)).status).toBe(429);
    await setOrgLimits(scope.orgId, { apiRequestsPerMinute: 6000 }); // 100 tokens a second
    await new Promise((r) => setTimeout(r, 100));
    const res = await get(key);
    expect(res.status).toBe(200);
    const q = res.json.quotas.find((x: { name: string }) => x.name === 'apiRequestsPerMinute');
    expect(q).toMatchObject({ limit: 6000, source: 'override', scope: 'api_key' });
    expect(q.used).toBeGreaterThan(0);
    await setOrgLimits(scope.orgId, { apiRequestsPerMinute: null });
  });

  it('a busy key spends leased tokens: it never passes more than its limit, and the bucket is written far less than once per request', async () => {
    await setOrgLimits(scope.orgId, { apiRequestsPerMinute: 120 }); // 2 tokens a second
    const key = await makeKey(scope, 'viewer', 'busy');
    const t0 = Date.now();
    let passed = 0;
    let limited = 0;
    const lastTake = async () => {
      const res = (await (await getDb()).execute(sql`select b.taken from api_rate_buckets b join api_keys k on k.id = b.api_key_id where k.org_id = ${scope.orgId} and k.name = ${'busy'}`)) as unknown;
      return Number(((Array.isArray(res) ? res : (res as { rows: unknown[] }).rows)[0] as { taken: number }).taken);
    };
    for (let i = 0; i < 140; i++) {
      const r = await get(key);
      if (r.status === 200) passed++;
      else if (r.status === 429) limited++;
      if (i === 40) expect(await lastTake()).toBe(2); // a second's worth, leased in one write
    }
    const elapsedSec = (Date.now() - t0) / 1000;
    // The bucket holds 120 and refills 2 a second while the burst runs; leased tokens that expire
    // unspent only ever make the count smaller.
    expect(passed).toBeLessThanOrEqual(120 + Math.ceil(elapsedSec * 2));
    expect(passed).toBeGreaterThan(100);
    expect(passed + limited).toBe(140);
    await setOrgLimits(scope.orgId, { apiRequestsPerMinute: null });
  });

  it('a busy key under concurrent requests: they share each lease, about one bucket write per lease rather than per request', async () => {
    await setOrgLimits(scope.orgId, { apiRequestsPerMinute: 600_000 }); // leases of MAX_LEASE (50)
    const key = await makeKey(scope, 'viewer', 'concurrent');
    const db = await getDb();
    // Counts the writes of this key's bucket row with a trigger: what Postgres itself saw.
    await db.execute(sql`create table if not exists rate_bucket_writes (api_key_id text)`);
    await db.execute(sql`create or replace function count_rate_bucket_write() returns trigger language plpgsql as $$ begin insert into rate_bucket_writes values (new.api_key_id); return new; end $$`);
    await db.execute(sql`create or replace trigger count_rate_bucket_writes after insert or update on api_rate_buckets for each row execute function count_rate_bucket_write()`);
    try {
      const burst = async (n: number) => {
        const statuses: number[] = [];
        let sent = 0;
        // 25 requests in flight at a time: 25 concurrent clients of one agent fleet.
        await Promise.all(
          Array.from({ length: 25 }, async () => {
            while (sent < n) {
              sent++;
              statuses.push((await get(key)).status);
            }
          }),
        );
        expect(statuses.filter((s) => s === 200)).toHaveLength(n);
      };
      const writes = async () => {
        const res = (await db.execute(sql`select count(*)::int as n from rate_bucket_writes w join api_keys k on k.id = w.api_key_id where k.org_id = ${scope.orgId} and k.name = ${'concurrent'}`)) as unknown;
        return Number(((Array.isArray(res) ? res : (res as { rows: unknown[] }).rows)[0] as { n: number }).n);
      };
      // The first 25 arrive with no lease at all and each takes its own token; then the leases
      // grow 1, 2, 4, … 50 tokens, and the next one is taken when half is spent, while requests
      // that find a lease empty wait for the take on its way. Measured here: 60-70 writes for
      // 400 requests; when each request that found the lease empty wrote its own take, 135-140.
      await burst(400);
      expect(await writes()).toBeGreaterThan(0);
      expect(await writes()).toBeLessThanOrEqual(100);
    } finally {
      await db.execute(sql`drop trigger if exists count_rate_bucket_writes on api_rate_buckets`);
      await db.execute(sql`drop table if exists rate_bucket_writes`);
      await setOrgLimits(scope.orgId, { apiRequestsPerMinute: null });
    }
  });

  it('a key far under its limit finds its next token taken ahead: its request waits for no bucket write', async () => {
    await setOrgLimits(scope.orgId, { apiRequestsPerMinute: 600 });
    const key = await makeKey(scope, 'viewer', 'ahead');
    expect((await get(key)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1100)); // an agent thinking: past a busy key's lease
    // Another transaction holds the key's bucket row: a request that had to take its token now
    // would wait for it.
    expect(await statusWhileBucketHeld(scope.orgId, 'ahead', key)).toBe(200);
    await setOrgLimits(scope.orgId, { apiRequestsPerMinute: null });
  });

  it('an agent calling every few seconds finds its token in reserve each time, long after a busy lease would have ended', async () => {
    await setOrgLimits(scope.orgId, { apiRequestsPerMinute: 600 });
    const key = await makeKey(scope, 'viewer', 'thinker');
    expect((await get(key)).status).toBe(200);
    for (let call = 0; call < 2; call++) {
      await new Promise((r) => setTimeout(r, 3000)); // three leases' lifetimes: only a reserve is still there
      expect(await statusWhileBucketHeld(scope.orgId, 'thinker', key), `call ${call + 1} after a pause`).toBe(200);
    }
    await setOrgLimits(scope.orgId, { apiRequestsPerMinute: null });
  });
});
