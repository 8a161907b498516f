import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as list from '@/app/api/v1/sandboxes/route';
import { closeDb, getDb, schema } from '@/db';
import { newId } from '@/lib/ids';
import { listSandboxes } from '@/lib/sandboxes/queries';
import { makeSandboxRow } from './helpers/fixtures';
import { sessionCookieFor } from './helpers/session';
import { api, makeTestOrg, type TestOrg } from './sandboxes-fixture';

/** Listing is served from the database alone, so these rows need no runner. */
let A: TestOrg;
const ids: string[] = [];
beforeAll(async () => {
  A = await makeTestOrg();
  const db = await getDb();
  const base = Date.now() - 60_000;
  for (let i = 0; i < 7; i++) {
    const id = newId();
    ids.push(id);
    await db.insert(schema.sandboxes).values({
      id,
      orgId: A.scope.orgId,
      runnerId: 'local',
      state: i % 2 ? 'stopped' : 'running',
      cpu: 1,
      memoryMb: 512,
      diskMb: 2048,
      network: { mode: 'none' },
      metadata: { batch: i < 4 ? 'first' : 'second', index: String(i) },
      timeoutSec: 300,
      createdBy: 'test',
      // Two rows share a timestamp: the id breaks the tie so no page repeats or skips one.
      createdAt: new Date(base + Math.min(i, 5) * 1000),
    });
  }
});
afterAll(closeDb);

const get = (qs: string) => api(list.GET, 'GET', `/sandboxes${qs}`, { key: A.viewer });

describe('GET /api/v1/sandboxes', () => {
  it('pages newest first with an opaque cursor, without repeats or gaps', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page++) {
      const res = await get(`?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      seen.push(...res.json.sandboxes.map((s: { id: string }) => s.id));
      cursor = res.json.nextCursor;
      if (!cursor) break;
    }
    expect(seen).toHaveLength(7);
    expect(new Set(seen)).toEqual(new Set(ids));
    expect(seen.slice(2)).toEqual(ids.slice(0, 5).reverse());
  });

  it('filters by state and by several metadata pairs', async () => {
    expect((await get('?state=stopped')).json.sandboxes).toHaveLength(3);
    const first = await get('?metadata=batch:first&metadata=index:2');
    expect(first.json.sandboxes.map((s: { id: string }) => s.id)).toEqual([ids[2]]);
    expect((await get('?metadata=batch:first&state=running')).json.sandboxes).toHaveLength(2);
  });

  it('requests asked together share a read, yet each answer holds every sandbox created before it was asked', async () => {
    // lib/sandboxes/queries.ts listSandboxesJson: a read serves only requests asked before it
    // started, so a list asked right after a create shows it even while other lists are in flight.
    const B = await makeTestOrg();
    const created: string[] = [];
    for (let round = 0; round < 5; round++) {
      const burst = Array.from({ length: 20 }, () => api(list.GET, 'GET', '/sandboxes', { key: B.viewer }));
      created.push(await makeSandboxRow(B.scope));
      const after = await api(list.GET, 'GET', '/sandboxes', { key: B.viewer });
      expect(after.status).toBe(200);
      expect(new Set(after.json.sandboxes.map((s: { id: string }) => s.id))).toEqual(new Set(created));
      for (const res of await Promise.all(burst)) {
        expect(res.status).toBe(200);
        expect(res.json.sandboxes.length).toBeGreaterThanOrEqual(created.length - 1);
      }
    }
  });

  it('the shared list the E2B gateway reads holds a sandbox created while other lists were under way', async () => {
    const B = await makeTestOrg();
    const created: string[] = [];
    for (let round = 0; round < 3; round++) {
      const burst = Array.from({ length: 20 }, () => listSandboxes(B.scope, { states: ['running'] }));
      created.push(await makeSandboxRow(B.scope));
      const after = await listSandboxes(B.scope, { states: ['running'] });
      expect(new Set(after.sandboxes.map((s) => s.id))).toEqual(new Set(created));
      await Promise.all(burst);
    }
  });

  it('refuses bad filters, limits and cursors with 400', async () => {
    for (const qs of ['?limit=101', '?limit=0', '?state=deleted', '?metadata=nocolon', '?cursor=bm9wZQ', '?color=red']) {
      const res = await get(qs);
      expect(res.status, qs).toBe(400);
    }
  });
});

describe('console session access', () => {
  it('a member’s session + x-warren-org lists the org’s sandboxes; others get 404, nobody 401', async () => {
    const viewer = { cookie: await sessionCookieFor(A.viewerUser), 'x-warren-org': A.scope.orgSlug };
    const res = await api(list.GET, 'GET', '/sandboxes', { headers: viewer });
    expect(res.status).toBe(200);
    expect(res.json.sandboxes).toHaveLength(7);
    const acting = await api(list.POST, 'POST', '/sandboxes', { headers: viewer, body: {} });
    expect(acting.status).toBe(403);
    const B = await makeTestOrg();
    const stranger = await api(list.GET, 'GET', '/sandboxes', { headers: { cookie: await sessionCookieFor(B.ownerUser), 'x-warren-org': A.scope.orgSlug } });
    expect(stranger.status).toBe(404);
    expect((await api(list.GET, 'GET', '/sandboxes')).status).toBe(401);
  });
});
