import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { socketAnswers } from '@/lib/net/wait-for-socket';
import { migrate } from 'drizzle-orm/pglite/migrator';
import type { Db } from './index';
import { migrationsFolder } from './index';
import { openPostgres } from './postgres';
import { seedPlans } from './seed-plans';
import type * as schemaNs from './schema';

type Schema = typeof schemaNs;

/**
 * The embedded database: PGlite in `$WARREN_DATA_DIR/db`. PGlite is single-process, so the
 * process that opens it (normally the console) also serves it on a unix socket; any other
 * process (the CLI while the console runs) talks Postgres wire protocol to that socket
 * instead of opening the files a second time. A pid file guards direct opens.
 */
export async function openEmbedded(dir: string, schema: Schema) {
  const socketPath = path.join(path.dirname(dir), 'db.sock');
  const pidFile = path.join(path.dirname(dir), 'db.pid');

  for (let attempt = 0; attempt < 300; attempt++) {
    if (fs.existsSync(socketPath) && (await socketAnswers(socketPath))) {
      return openPostgres(undefined, schema, { socketPath, max: 1, skipMigrations: true });
    }
    if (!ownerAlive(pidFile)) break;
    await new Promise((r) => setTimeout(r, 100)); // another process is opening or migrating; wait for it
  }

  fs.writeFileSync(pidFile, String(process.pid));
  const client = new PGlite(dir);
  const db = drizzle({ client, schema }) as unknown as Db;
  await migrate(drizzle({ client, schema }), { migrationsFolder: migrationsFolder() });
  await seedPlans(db);

  let server: { stop(): Promise<void> } | undefined;
  if (process.env.WARREN_DB_SHARE === '1') {
    const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
    fs.rmSync(socketPath, { force: true });
    const s = new PGLiteSocketServer({ db: client, path: socketPath });
    await s.start();
    server = s;
  }

  const close = async () => {
    await server?.stop().catch(() => {});
    fs.rmSync(socketPath, { force: true });
    await client.close();
    if (readPid(pidFile) === process.pid) fs.rmSync(pidFile, { force: true });
  };
  return { db, kind: 'pglite' as const, close };
}

function readPid(file: string): number | undefined {
  try {
    return Number(fs.readFileSync(file, 'utf8').trim()) || undefined;
  } catch {
    return undefined;
  }
}

function ownerAlive(file: string): boolean {
  const pid = readPid(file);
  if (!pid || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
