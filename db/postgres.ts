import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { migrationsFolder } from './index';
import { seedPlans } from './seed-plans';
import type * as schemaNs from './schema';

type Schema = typeof schemaNs;
type Options = { max?: number; socketPath?: string; skipMigrations?: boolean };

/** Real Postgres via postgres.js. Migrations run under an advisory lock held on one reserved
 * connection, so the console, the CLI and parallel test workers never apply them at once. */
export async function openPostgres(url: string | undefined, schema: Schema, opts: Options = {}) {
  const config = { max: opts.max ?? 10, onnotice: () => {}, ...(opts.socketPath ? { path: opts.socketPath } : {}) };
  const sql = url ? postgres(url, config) : postgres({ ...config, username: 'postgres', database: 'postgres' });
  const db = drizzle(sql, { schema }) as PostgresJsDatabase<Schema>;
  if (!opts.skipMigrations) {
    const lock = await sql.reserve();
    try {
      await lock`select pg_advisory_lock(727274)`;
      await migrate(db, { migrationsFolder: migrationsFolder() });
      await seedPlans(db);
    } finally {
      await lock`select pg_advisory_unlock(727274)`.catch(() => {});
      lock.release();
    }
  }
  return { db, kind: 'postgres' as const, close: () => sql.end({ timeout: 5 }) };
}
