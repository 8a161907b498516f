/**
 * The embedded database's own thread (see db/embedded.ts): PGlite runs its queries here, off the
 * console's event loop, and serves them on a unix socket in Postgres wire protocol to the
 * console (and to the CLI). Plain JavaScript so a worker thread loads it without a TS loader.
 * Messages: in, 'close'; out, { type: 'ready' | 'closed' | 'error', message? }.
 */
import fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';

/** Drop-in for pglite-socket's query queue (same methods), whole queries and transactions at a time. */
class WholeQueryQueue {
  constructor(db) {
    this.db = db;
    this.owner = null;
    this.waiting = [];
  }

  async enqueue(handlerId, message, onData) {
    await this.acquire(handlerId);
    let bytes = 0;
    try {
      await this.db.runExclusive(() =>
        this.db.execProtocolRawStream(message, {
          onRawData: (d) => {
            bytes += d.length;
            onData(d);
          },
        }),
      );
    } finally {
      if (endsTurn(message) && !this.db.isInTransaction()) this.release();
    }
    return bytes;
  }

  acquire(handlerId) {
    if (this.owner === null || this.owner === handlerId) {
      this.owner = handlerId;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => this.waiting.push({ handlerId, resolve, reject }));
  }

  release() {
    this.owner = null;
    const next = this.waiting.shift();
    if (!next) return;
    this.owner = next.handlerId;
    next.resolve();
  }

  getQueueLength() {
    return this.waiting.length;
  }

  clearQueueForHandler(handlerId) {
    for (const w of this.waiting.filter((x) => x.handlerId === handlerId)) w.reject(new Error('Handler disconnected'));
    this.waiting = this.waiting.filter((x) => x.handlerId !== handlerId);
  }

  async clearTransactionIfNeeded(handlerId) {
    if (this.owner !== handlerId) return;
    if (this.db.isInTransaction()) await this.db.exec('ROLLBACK');
    this.release();
  }
}

/** Sync ('S'), a simple Query ('Q'), Terminate ('X') or the start-up message end a turn. */
function endsTurn(message) {
  const type = message[0];
  if (type === 0x53 || type === 0x51 || type === 0x58) return true;
  return message.length >= 8 && new DataView(message.buffer, message.byteOffset, message.byteLength).getInt32(4) === 196608;
}

const { dir, socketPath, migrationsFolder } = workerData;

try {
  const client = new PGlite(dir);
  await migrate(drizzle({ client }), { migrationsFolder });
  fs.rmSync(socketPath, { force: true });
  // PGlite is one session: its queue runs one protocol message at a time and keeps a transaction
  // on the connection that opened it. The console uses one connection; the CLI may add a few.
  const server = new PGLiteSocketServer({ db: client, path: socketPath, maxConnections: 8 });
  // The package's queue runs one protocol message at a time, first come first served, so the
  // messages of two connections could interleave inside one query (Parse of one, Bind of the
  // other) on PGlite's single session. This one gives a connection the session from its first
  // message to the end of its query (Sync, or a simple Query), and to the end of its transaction.
  server.queryQueue = new WholeQueryQueue(client);
  await server.start();
  parentPort.on('message', async (m) => {
    if (m !== 'close') return;
    await server.stop().catch(() => {});
    fs.rmSync(socketPath, { force: true });
    await client.close();
    parentPort.postMessage({ type: 'closed' });
  });
  parentPort.postMessage({ type: 'ready' });
} catch (err) {
  parentPort.postMessage({ type: 'error', message: err instanceof Error ? err.message : String(err) });
}
