import { eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { GET as auditGet } from '@/app/api/v1/audit/route';
import { closeDb, getDb, schema } from '@/db';
import { recordAudit, systemActor } from '@/lib/audit/audit';
import { call, ctx, makeKey, makeOrg, req } from './helpers/fixtures';

/**
 * The audit log's filters (actor, action or action family, target, date range) and its CSV
 * export: streamed, the same filters, only the caller's org, and cells a spreadsheet will not
 * run as formulas.
 */
afterAll(closeDb);

async function seeded() {
  const { scope } = await makeOrg();
  const other = await makeOrg();
  const key = await makeKey(scope, 'admin');
  const db = await getDb();
  // A clean slate: only the events this test writes (org creation writes its own).
  await db.delete(schema.auditEvents).where(eq(schema.auditEvents.orgId, scope.orgId));
  await recordAudit(scope, 'sandbox.create', { type: 'sandbox', id: 'sb-one' }, { template: 'base' });
  await recordAudit(scope, 'sandbox.stop', { type: 'sandbox', id: 'sb-one' });
  await recordAudit(systemActor(scope.orgId, '=HYPERLINK("http://evil")'), 'sandbox.delete', { type: 'sandbox', id: 'sb-two' }, { note: '+1+1' });
  await recordAudit(scope, 'api_key.create', { type: 'api_key', id: 'key-1' }, { name: '@SUM(A1)' });
  await recordAudit(other.scope, 'sandbox.create', { type: 'sandbox', id: 'sb-one' });
  // One event last year, for the date range.
  await db.insert(schema.auditEvents).values({ orgId: scope.orgId, actorType: 'system', actorId: null, actorLabel: 'system', action: 'sandbox.create', targetType: 'sandbox', targetId: 'sb-old', createdAt: new Date('2025-03-02T10:00:00Z') });
  return { scope, key };
}

const list = async (key: string, qs: string) => {
  const r = await call(auditGet, req('GET', `/api/v1/audit?${qs}`, { key }));
  expect(r.status, JSON.stringify(r.json)).toBe(200);
  return r.json.events.map((e: { action: string; target: { id: string } | null }) => `${e.action}:${e.target?.id}`);
};

describe('audit log filters', () => {
  it('by action, action family, actor, target and date range; all combine', async () => {
    const { key } = await seeded();
    expect(await list(key, 'action=sandbox.create')).toEqual(['sandbox.create:sb-one', 'sandbox.create:sb-old']);
    expect(await list(key, 'action=sandbox.*')).toEqual(['sandbox.delete:sb-two', 'sandbox.stop:sb-one', 'sandbox.create:sb-one', 'sandbox.create:sb-old']);
    expect(await list(key, 'target=sb-one')).toEqual(['sandbox.stop:sb-one', 'sandbox.create:sb-one']);
    expect(await list(key, 'actor=hyperlink')).toEqual(['sandbox.delete:sb-two']);
    // LIKE wildcards in the actor are literal text.
    expect(await list(key, 'actor=%25')).toEqual([]);
    expect(await list(key, 'from=2025-01-01&to=2025-12-31')).toEqual(['sandbox.create:sb-old']);
    expect(await list(key, 'to=2025-03-02')).toEqual(['sandbox.create:sb-old']); // a bare day includes that day
    expect(await list(key, 'from=2026-01-01&action=sandbox.create&target=sb-one')).toEqual(['sandbox.create:sb-one']);
  });

  it('refuses bad filters with a 400', async () => {
    const { key } = await seeded();
    for (const qs of ['action=DROP TABLE', 'action=sandbox.*.*', 'from=yesterday', 'from=2026-02-01&to=2026-01-01', 'format=xml', `actor=${'x'.repeat(300)}`]) {
      const r = await call(auditGet, req('GET', `/api/v1/audit?${qs}`, { key }));
      expect(r.status, qs).toBe(400);
      expect(r.json.error.code).toBe('validation_failed');
    }
  });

  it('exports CSV as a stream with the same filters, only this org, formula-safe', async () => {
    const { key } = await seeded();
    const res = await auditGet(req('GET', '/api/v1/audit?format=csv&from=2026-01-01', { key }), ctx());
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="warren-audit-t-[a-z0-9]+-\d{4}-\d\d-\d\d\.csv"$/);
    expect(res.body).toBeInstanceOf(ReadableStream);
    const lines = (await res.text()).trimEnd().split('\n');
    expect(lines[0]).toBe('time,actor_type,actor,action,target_type,target_id,data');
    expect(lines).toHaveLength(5); // four events this year in this org, none of the other org's
    const deleted = lines.find((l) => l.includes('sandbox.delete'))!;
    expect(deleted).toContain(`,system,"'=HYPERLINK(""http://evil"")",sandbox.delete,sandbox,sb-two,`);
    expect(lines.find((l) => l.includes('api_key.create'))).toContain('"{""name"":""@SUM(A1)""}"');

    const filtered = await (await auditGet(req('GET', '/api/v1/audit?format=csv&action=api_key.create', { key }), ctx())).text();
    expect(filtered.trimEnd().split('\n')).toHaveLength(2);
  });

  it('streams past one batch', async () => {
    const { scope, key } = await seeded();
    const db = await getDb();
    await db.insert(schema.auditEvents).values(
      Array.from({ length: 1203 }, (_, i) => ({ orgId: scope.orgId, actorType: 'system' as const, actorId: null, actorLabel: 'bulk', action: 'test.bulk', targetType: 'n', targetId: String(i) })),
    );
    const text = await (await auditGet(req('GET', '/api/v1/audit?format=csv&action=test.bulk', { key }), ctx())).text();
    const ids = text.trimEnd().split('\n').slice(1).map((l) => l.split(',')[5]);
    expect(ids).toHaveLength(1203);
    expect(new Set(ids).size).toBe(1203);
  });
});
