import net from 'node:net';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { errorResponse } from '@/lib/api/handler';
import { isDbUnavailable } from './db-errors';

/** A Postgres that does not answer is a 503 the client may retry; a failing query stays a 500. */
describe('database errors', () => {
  it('a database that refuses connections is db_unavailable (503, Retry-After); a bad query is not', async () => {
    // A port nothing listens on: what the console meets while Postgres is down or restarting.
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const down = postgres(`postgres://postgres@127.0.0.1:${port}/postgres`, { max: 1, connect_timeout: 2, onnotice: () => {} });
    const refused = await drizzle(down).execute(sql`select 1`).catch((err: unknown) => err);
    await down.end();
    expect(isDbUnavailable(refused)).toBe(true);
    const res = errorResponse(refused);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect((await res.json()).error.code).toBe('db_unavailable');

    const up = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
    const bad = await drizzle(up).execute(sql`select * from no_such_table`).catch((err: unknown) => err);
    await up.end();
    expect(isDbUnavailable(bad)).toBe(false);
    expect(errorResponse(bad).status).toBe(500);
  });
});
