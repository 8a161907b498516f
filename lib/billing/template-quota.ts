import { and, count, eq, isNull, sql } from 'drizzle-orm';
import { type DbOrTx, schema, type Tx } from '@/db';
import { AppError } from '@/lib/errors';

/** The org's own live custom templates (the built-in one and platform ones do not count). */
export async function countTemplates(db: DbOrTx, orgId: string): Promise<number> {
  const { templates } = schema;
  const [row] = await db
    .select({ n: count() })
    .from(templates)
    .where(and(eq(templates.orgId, orgId), isNull(templates.deletedAt)));
  return row?.n ?? 0;
}

/**
 * Takes the org's template lock for the rest of the transaction and
 * refuses (429 with the limit and the current count) when the org is at its maxTemplates, so two
 * racing template builds cannot both take the last one. Insert the template in the same `tx`.
 */
export async function claimTemplateSlot(tx: Tx, orgId: string, maxTemplates: number, countOf = countTemplates): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`warren:template-quota:${orgId}`}, 0))`);
  const current = await countOf(tx, orgId);
  if (current + 1 > maxTemplates) {
    throw new AppError('quota_exceeded', `Your org has ${current} custom templates, its limit of ${maxTemplates}; delete one first`, {
      limit: 'maxTemplates',
      max: maxTemplates,
      current,
    });
  }
}
