import { eq } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import { notFound } from '@/lib/errors';

/** An org named by id in an /api/admin path; an id that cannot exist is a 404 before any query. */
export async function adminOrg(orgId: string) {
  if (!/^[a-z0-9]{3,64}$/.test(orgId)) throw notFound('Organization');
  const db = await getDb();
  const [org] = await db.select().from(schema.orgs).where(eq(schema.orgs.id, orgId));
  if (!org) throw notFound('Organization');
  return org;
}
