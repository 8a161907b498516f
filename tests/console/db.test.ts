import { eq, sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { closeDb, getDb, schema } from '@/db';
import { openPostgres } from '@/db/postgres';

describe('database', () => {
  afterAll(closeDb);

  it('applies migrations and round-trips a row on Postgres', async () => {
    const db = await getDb();
    const [org] = await db.insert(schema.orgs).values({ slug: `t-${Date.now()}`, name: 'Round trip' }).returning();
    const [again] = await db.select().from(schema.orgs).where(eq(schema.orgs.id, org!.id));
    expect(again?.name).toBe('Round trip');
    expect(org!.id).toMatch(/^[a-z0-9]{20}$/);
  });

  it('connects over the server Unix socket when DATABASE_URL names its directory as libpq does (?host=/dir)', async () => {
    const db = await getDb();
    const rows = (r: unknown) => (Array.isArray(r) ? r : (r as { rows: unknown[] }).rows) as Array<Record<string, unknown>>;
    const dir = String(rows(await db.execute(sql`show unix_socket_directories`))[0]?.unix_socket_directories).split(',')[0]!.trim();
    const url = new URL(process.env.DATABASE_URL!);
    url.searchParams.set('host', dir);
    const viaSocket = await openPostgres(url.toString(), schema, { max: 1, skipMigrations: true });
    try {
      const [row] = rows(await viaSocket.db.execute(sql`select inet_server_addr() as addr, current_database() as db`));
      expect(row).toEqual({ addr: null, db: url.pathname.slice(1) }); // no server address: not TCP
    } finally {
      await viaSocket.close();
    }
  });
});
