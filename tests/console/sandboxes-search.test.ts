import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as list from '@/app/api/v1/sandboxes/route';
import { closeDb, getDb, schema } from '@/db';
import { newId } from '@/lib/ids';
import { api, makeTestOrg, type TestOrg } from './sandboxes-fixture';

/** The sandboxes list's `q`: id (or its start), name, metadata key or value, key:value; org-scoped. */
let A: TestOrg;
let B: TestOrg;
const made: Record<string, string> = {};

async function row(org: TestOrg, tag: string, name: string | null, metadata: Record<string, string>) {
  const id = newId();
  made[tag] = id;
  const db = await getDb();
  await db.insert(schema.sandboxes).values({
    id,
    orgId: org.scope.orgId,
    runnerId: 'local',
    state: 'running',
    name,
    cpu: 1,
    memoryMb: 512,
    diskMb: 2048,
    network: { mode: 'none' },
    metadata,
    timeoutSec: 300,
    createdBy: 'test',
  });
}

beforeAll(async () => {
  A = await makeTestOrg();
  B = await makeTestOrg();
  await row(A, 'agent', 'Research-Agent', { team: 'ml', run: '42' });
  await row(A, 'web', 'web-preview', { team: 'frontend', branch: 'feat/100%_done' });
  await row(A, 'plain', null, {});
  await row(B, 'theirs', 'research-agent-b', { team: 'ml' });
});
afterAll(closeDb);

const search = async (org: TestOrg, q: string, extra = '') => {
  const r = await api(list.GET, 'GET', `/sandboxes?q=${encodeURIComponent(q)}${extra}`, { key: org.viewer });
  expect(r.status, JSON.stringify(r.json)).toBe(200);
  return (r.json.sandboxes as Array<{ id: string }>).map((s) => s.id).sort();
};
const ids = (...tags: string[]) => tags.map((t) => made[t]!).sort();

describe('GET /api/v1/sandboxes?q=', () => {
  it('finds by id, id prefix, name (any case) and metadata, only in the caller’s org', async () => {
    expect(await search(A, made.plain!)).toEqual(ids('plain'));
    expect(await search(A, made.plain!.slice(0, 8).toUpperCase())).toEqual(ids('plain'));
    expect(await search(A, 'research')).toEqual(ids('agent')); // B's research-agent-b stays B's
    expect(await search(B, 'research')).toEqual(ids('theirs'));
    expect(await search(A, 'frontend')).toEqual(ids('web'));
    expect(await search(A, 'branch')).toEqual(ids('web')); // a metadata key
    expect(await search(A, 'team:ml')).toEqual(ids('agent'));
    expect(await search(A, 'team:m')).toEqual([]); // key:value is the exact pair
    expect(await search(A, 'nothing-like-this')).toEqual([]);
  });

  it('treats LIKE wildcards as text and combines with the state filter', async () => {
    expect(await search(A, '100%_done')).toEqual(ids('web'));
    expect(await search(A, '%')).toEqual(ids('web'));
    expect(await search(A, '_')).toEqual(ids('web'));
    expect(await search(A, 'ml', '&state=stopped')).toEqual([]);
    expect(await search(A, 'ml', '&state=running')).toEqual(ids('agent'));
  });

  it('refuses an over-long search', async () => {
    const r = await api(list.GET, 'GET', `/sandboxes?q=${'x'.repeat(201)}`, { key: A.viewer });
    expect(r.status).toBe(400);
  });
});
