import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
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
 *
 * The console (WARREN_DB_SHARE=1) runs PGlite on a worker thread (db/embedded-worker.mjs) and
 * talks to it over that same socket: PGlite executes SQL in WebAssembly on the thread that
 * calls it, which on the request thread put every query's CPU in front of every request.
 * It uses one connection: PGlite is a single session, and the socket's queue interleaves
 * protocol messages of concurrent connections, so one connection keeps each query whole
 * (postgres.js pipelines on it, and a transaction holds it, as PGlite's own lock did).
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
  if (process.env.WARREN_DB_SHARE === '1') return openOnWorker(dir, socketPath, pidFile, schema);
  const client = new PGlite(dir);
  const db = drizzle({ client, schema }) as unknown as Db;
  await migrate(drizzle({ client, schema }), { migrationsFolder: migrationsFolder() });
  await seedPlans(db);

  const close = async () => {
    await client.close();
    if (readPid(pidFile) === process.pid) fs.rmSync(pidFile, { force: true });
  };
  return { db, kind: 'pglite' as const, close };
}

/** PGlite on its own thread, served on the socket; this thread is a Postgres client of it. */
async function openOnWorker(dir: string, socketPath: string, pidFile: string, schema: Schema) {
  // A path computed at run time: bundlers must not try to follow it (Next bundles this module).
  const script = path.join(process.cwd(), 'db', 'embedded-worker.mjs');
  const worker = new Worker(script, { workerData: { dir, socketPath, migrationsFolder: migrationsFolder() } });
  const next = (want: string) =>
    new Promise<void>((resolve, reject) => {
      const onMessage = (m: { type: string; message?: string }) => {
        if (m.type === 'error') reject(new Error(`embedded database: ${m.message}`));
        else if (m.type === want) resolve();
        else return;
        worker.off('message', onMessage);
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`embedded database thread exited (${code})`)));
    });
  try {
    await next('ready');
  } catch (err) {
    await worker.terminate();
    throw err;
  }
  let closing = false;
  worker.on('exit', (code) => {
    if (closing) return;
    // Without its database this process can only fail requests; a supervisor restarting it
    // reopens the files (PGlite recovers from its WAL), which is the safe way back.
    console.error(`the embedded database thread exited (${code}); stopping`);
    process.exit(1);
  });
  const conn = await openPostgres(undefined, schema, { socketPath, max: 1, skipMigrations: true });
  await seedPlans(conn.db);
  const close = async () => {
    closing = true;
    await conn.close().catch(() => {});
    const closed = next('closed').catch(() => {});
    worker.postMessage('close');
    await closed;
    await worker.terminate();
    if (readPid(pidFile) === process.pid) fs.rmSync(pidFile, { force: true });
  };
  return { db: conn.db, kind: 'pglite' as const, close };
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
