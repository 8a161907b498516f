import { type DbOrTx, schema } from '@/db';
import { conflict } from '@/lib/errors';
import { newId } from '@/lib/ids';

const { orgs } = schema;

export type OrgRow = typeof orgs.$inferSelect;

export const slugTaken = () => conflict('That URL is already taken by another organization');

/**
 * Inserts an org row with a unique slug. With an explicit slug a clash is the caller's error;
 * with a derived one we add a short random suffix until it is free. ON CONFLICT DO NOTHING
 * rather than catching the unique violation: a failed statement would abort the transaction.
 */
export async function createOrgRow(
  tx: DbOrTx,
  input: { name: string; slug?: string; slugBase?: string; personal?: boolean },
): Promise<OrgRow> {
  const values = { name: input.name, personal: input.personal ?? false };
  if (input.slug) {
    const [row] = await tx.insert(orgs).values({ ...values, slug: input.slug }).onConflictDoNothing().returning();
    if (!row) throw slugTaken();
    return row;
  }
  const base = input.slugBase ?? 'org';
  for (let attempt = 0; attempt < 8; attempt++) {
    const candidate = attempt === 0 ? base : `${base.slice(0, 33)}-${newId(6)}`;
    const [row] = await tx.insert(orgs).values({ ...values, slug: candidate }).onConflictDoNothing().returning();
    if (row) return row;
  }
  throw new Error('could not find a free org slug');
}
