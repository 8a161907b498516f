import { afterAll, describe, expect, it } from 'vitest';
import { GET as auditGet } from '@/app/api/v1/audit/route';
import { closeDb } from '@/db';
import { listOrgsForAdmin } from '@/lib/admin/orgs';
import { listAudit, recordAudit } from '@/lib/audit/audit';
import { call, makeKey, makeOrg, makeUser, req, uniq } from './helpers/fixtures';
import { createOrg } from '@/lib/orgs/orgs';

afterAll(closeDb);

describe('audit log pagination', () => {
  it('pages newest first through every event exactly once', async () => {
    const { scope } = await makeOrg();
    for (let i = 0; i < 7; i++) await recordAudit(scope, 'test.event', { type: 'n', id: String(i) });
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listAudit(scope, { cursor, limit: 3 });
      seen.push(...page.events.filter((e) => e.action === 'test.event').map((e) => e.target!.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(['6', '5', '4', '3', '2', '1', '0']);
  });

  it('serves pages over HTTP, refuses bad cursors and limits over 100', async () => {
    const { scope } = await makeOrg();
    const key = await makeKey(scope, 'admin');
    const first = await call(auditGet, req('GET', '/api/v1/audit?limit=1', { key }));
    expect(first.json.events).toHaveLength(1);
    const second = await call(auditGet, req('GET', `/api/v1/audit?limit=1&cursor=${first.json.nextCursor}`, { key }));
    expect(second.json.events[0].id).not.toBe(first.json.events[0].id);
    expect((await call(auditGet, req('GET', '/api/v1/audit?cursor=garbage', { key }))).status).toBe(400);
    expect((await call(auditGet, req('GET', '/api/v1/audit?limit=101', { key }))).status).toBe(400);
    expect((await call(auditGet, req('GET', '/api/v1/audit?limit=5&extra=1', { key }))).status).toBe(400);
  });

  it('pages admin org listings with a cursor', async () => {
    const u = await makeUser();
    const marker = `pg${uniq()}`;
    for (let i = 0; i < 5; i++) await createOrg(u, { name: `${marker} ${i}` });
    const a = await listOrgsForAdmin({ q: marker, limit: 2 });
    const b = await listOrgsForAdmin({ q: marker, limit: 2, cursor: a.nextCursor! });
    const c = await listOrgsForAdmin({ q: marker, limit: 2, cursor: b.nextCursor! });
    expect([...a.orgs, ...b.orgs, ...c.orgs].map((o) => o.name)).toEqual([4, 3, 2, 1, 0].map((i) => `${marker} ${i}`));
    expect(c.nextCursor).toBeNull();
  });
});
