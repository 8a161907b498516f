import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { getDb, schema } from '@/db';
import { compiledRows } from '@/db/compiled-rows';
import { makeOrg, makeSandboxRow } from './helpers/fixtures';

const { sandboxes, orgs } = schema;

/** The list's rows are mapped by a function built once per statement: they must be exactly what
 * drizzle's own mapping gives, nulls, dates, JSON and nested fields alike. */
describe('compiled row mapping', () => {
  it('gives what drizzle gives for a nested select with dates, JSON, nulls and SQL fields', async () => {
    const { scope } = await makeOrg();
    const db = await getDb();
    const full = await makeSandboxRow(scope);
    await makeSandboxRow(scope); // its optional columns stay null
    await db
      .update(sandboxes)
      .set({ metadata: { team: 'a', n: '1' }, expiresAt: new Date('2030-01-02T03:04:05.678Z'), startedAt: new Date(), reason: 'why' })
      .where(eq(sandboxes.id, full));
    const prepared = db
      .select({ row: sandboxes, at: sql<string>`to_char(${sandboxes.createdAt}, 'YYYY')`, n: sql<number>`2`.mapWith(Number), none: sql<string | null>`null` })
      .from(sandboxes)
      .where(eq(sandboxes.orgId, sql.placeholder('orgId')))
      .orderBy(sandboxes.id)
      .prepare('compiled_rows_test');
    const fast = compiledRows(prepared);
    expect(fast.compiled).toBe(true);
    const mine = await fast({ orgId: scope.orgId });
    expect(mine).toEqual(await prepared.execute({ orgId: scope.orgId }));
    expect(mine).toHaveLength(2);
    const row = mine.find((r) => r.row.id === full)!;
    expect(row.row.expiresAt).toEqual(new Date('2030-01-02T03:04:05.678Z'));
    expect(row.row.metadata).toEqual({ team: 'a', n: '1' });
    expect(row.n).toBe(2);
    expect(row.none).toBeNull();
  });

  it('leaves a left join (whose missing side drizzle nulls) to drizzle', async () => {
    const { scope } = await makeOrg();
    const db = await getDb();
    await makeSandboxRow(scope);
    const prepared = db.select().from(orgs).leftJoin(sandboxes, eq(sandboxes.orgId, orgs.id)).where(eq(orgs.id, sql.placeholder('orgId'))).prepare('compiled_rows_join');
    const fast = compiledRows(prepared);
    expect(fast.compiled).toBe(false);
    expect(await fast({ orgId: scope.orgId })).toEqual(await prepared.execute({ orgId: scope.orgId }));
  });
});
