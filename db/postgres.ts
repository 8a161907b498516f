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
  const socket = url ? unixSocketOf(url) : null;
  const socketPath = opts.socketPath ?? socket?.path;
  const config = { max: opts.max ?? 10, onnotice: () => {}, ...(socketPath ? { path: socketPath } : {}) };
  const sql = url ? postgres(socket?.url ?? url, config) : postgres({ ...config, username: 'postgres', database: 'postgres' });
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

/**
 * libpq's way of naming a Unix socket in a URL, `postgres://user@localhost/db?host=/var/run/postgresql`
 * (the socket directory; the port names the socket file, 5432 unless given), which postgres.js
 * would otherwise send to the server as a setting. For deployments that reach their Postgres by
 * its socket (peer authentication); it did not change the list benchmark here (README, Benchmarks).
 */
export function unixSocketOf(url: string): { url: string; path: string } | null {
  if (!URL.canParse(url)) return null;
  const u = new URL(url);
  const dir = u.searchParams.get('host');
  if (!dir?.startsWith('/')) return null;
  u.searchParams.delete('host');
  return { url: u.toString(), path: `${dir.replace(/\/+$/, '')}/.s.PGSQL.${u.port || 5432}` };
}

