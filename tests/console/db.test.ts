import { eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { closeDb, getDb, schema } from '@/db';

describe('database', () => {
  afterAll(closeDb);

  it('applies migrations and round-trips a row on Postgres', async () => {
    const db = await getDb();
    const [org] = await db.insert(schema.orgs).values({ slug: `t-${Date.now()}`, name: 'Round trip' }).returning();
    const [again] = await db.select().from(schema.orgs).where(eq(schema.orgs.id, org!.id));
    expect(again?.name).toBe('Round trip');
    expect(org!.id).toMatch(/^[a-z0-9]{20}$/);
  });
});
