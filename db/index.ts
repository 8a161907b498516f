import fs from 'node:fs';
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

function open(): Promise<Handle> {
  const e = env();
  if (e.DATABASE_URL) return openPostgres(e.DATABASE_URL, schema);
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
