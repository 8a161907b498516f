import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import { env } from '@/lib/env';
import { openEmbedded } from './embedded';
import { openPostgres } from './postgres';
import * as schema from './schema';

/**
 * One database handle per process. Both drivers expose the same drizzle query API, so the
 * rest of the code sees a single type. The handle lives on globalThis because server.ts and
 * Next's bundled route handlers are separate module graphs inside one process, and PGlite must
 * never be opened twice on the same directory.
 */
export type Db = PostgresJsDatabase<typeof schema>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type DbOrTx = Db | Tx;

type Handle = { db: Db; kind: 'postgres' | 'pglite'; close: () => Promise<void> };
const KEY = Symbol.for('warren.db');
const g = globalThis as unknown as { [KEY]?: Promise<Handle> };

export const migrationsFolder = () => path.join(process.cwd(), 'drizzle');

/**
 * The pool's size unless WARREN_DB_POOL_SIZE says: twice the cores plus one (the usual rule for
 * a database on the same machine; a Postgres elsewhere with more cores wants it set). Measured on
 * 2 cores (bench/api-throughput, README issue 11): 50 concurrent list requests spread over 10
 * connections woke 10 backends that fought the console for the cores, where 5 carried the same
 * queries pipelined, several per wake-up (1,510-1,810 → 2,000-2,070 req/s, p99 72-123 → 44-52 ms).
 * Nothing in the code needs two connections at once (the embedded database has one).
 */
const defaultPoolSize = () => 2 * os.availableParallelism() + 1;

function open(): Promise<Handle> {
  const e = env();
  if (e.DATABASE_URL) return openPostgres(e.DATABASE_URL, schema, { max: e.WARREN_DB_POOL_SIZE ?? defaultPoolSize() });
  const dir = path.join(e.dataDir, 'db');
  fs.mkdirSync(dir, { recursive: true });
  return openEmbedded(dir, schema);
}

export function getDbHandle(): Promise<Handle> {
  if (!g[KEY]) {
    g[KEY] = open().catch((err) => {
      g[KEY] = undefined;
      throw err;
    });
  }
  return g[KEY];
}

export async function getDb(): Promise<Db> {
  return (await getDbHandle()).db;
}

export async function closeDb(): Promise<void> {
  const h = g[KEY];
  g[KEY] = undefined;
  if (h) await (await h).close();
}

export { schema };
