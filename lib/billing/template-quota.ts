import { sql } from 'drizzle-orm';
import type { DbOrTx, Tx } from '@/db';
import { AppError } from '@/lib/errors';

/**
 * Custom templates do not exist yet (lib/templates/templates.ts lists the built-in one), so
 * every org uses 0 of its maxTemplates. The templates feature replaces this count with its
 * table's and calls claimTemplateSlot in the transaction that inserts a template.
 */
export async function countTemplates(_db: DbOrTx, _orgId: string): Promise<number> {
  return 0;
}

/**
 * For the templates feature: takes the org's template lock for the rest of the transaction and
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
