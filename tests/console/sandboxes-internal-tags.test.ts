import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as one from '@/app/api/v1/sandboxes/[id]/route';
import * as list from '@/app/api/v1/sandboxes/route';
import { closeDb, getDb, schema } from '@/db';
import { newId } from '@/lib/ids';
import { api, makeTestOrg, type TestOrg } from './sandboxes-fixture';

/**
 * Warren's own tags (a demo visitor's `warren_share`) are not the user's metadata: the API shows
 * them as their own field and refuses a create that sets one. Read from the database alone.
 */
let A: TestOrg;
const visitor = newId();
beforeAll(async () => {
  A = await makeTestOrg();
  const db = await getDb();
  await db.insert(schema.sandboxes).values({
    id: visitor,
    orgId: A.scope.orgId,
    runnerId: 'local',
    state: 'running',
    cpu: 1,
    memoryMb: 512,
    diskMb: 2048,
    network: { mode: 'none' },
    metadata: { team: 'docs', warren_share: 'shr_demo1' },
    timeoutSec: 300,
    createdBy: 'Embed link demo',
  });
});
afterAll(closeDb);

describe('internal tags of sandboxes', () => {
  it('are left out of metadata and shown as shareId, in the list and for one sandbox', async () => {
    const listed = await api(list.GET, 'GET', '/sandboxes', { key: A.viewer });
    const row = listed.json.sandboxes.find((s: { id: string }) => s.id === visitor);
    expect(row.metadata).toEqual({ team: 'docs' });
    expect(row.shareId).toBe('shr_demo1');
    const got = await api(one.GET, 'GET', `/sandboxes/${visitor}`, { key: A.viewer, params: { id: visitor } });
    expect(got.status).toBe(200);
    expect(got.json.metadata).toEqual({ team: 'docs' });
    expect(got.json.shareId).toBe('shr_demo1');
  });

  it('cannot be set by a caller: a create with a warren_ key is a 400 and makes nothing', async () => {
    const db = await getDb();
    const before = await db.select().from(schema.sandboxes).where(eq(schema.sandboxes.orgId, A.scope.orgId));
    const res = await api(list.POST, 'POST', '/sandboxes', { key: A.developer, body: { metadata: { warren_share: 'shr_demo1' } } });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('validation_failed');
    expect(JSON.stringify(res.json.error)).toContain('reserved for Warren');
    const after = await db.select().from(schema.sandboxes).where(eq(schema.sandboxes.orgId, A.scope.orgId));
    expect(after).toHaveLength(before.length);
  });

  it('still filter the list, so a demo link can count its visitors', async () => {
    const res = await api(list.GET, 'GET', '/sandboxes?metadata=warren_share:shr_demo1', { key: A.viewer });
    expect(res.json.sandboxes.map((s: { id: string }) => s.id)).toEqual([visitor]);
  });
});
