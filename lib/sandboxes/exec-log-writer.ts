import fs from 'node:fs';
import path from 'node:path';
import { and, eq, inArray, notInArray, sql } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import { env } from '@/lib/env';
import { newId } from '@/lib/ids';
import { logger } from '@/lib/logger';

/** How many recent commands each sandbox keeps for its overview tab. */
export const EXEC_LOG_KEEP = 100;
const BATCH = 500;
const RETRY_MS = 1000;
/**
 * How long entries gather before one insert stores them. Flushing on the next tick stored an
 * agent's back-to-back execs one transaction each (an insert, a commit, the journal truncated:
 * about a tenth of an exec's cost on the console and its database). Nothing waits on it: the
 * journal already holds each entry, and a read of the log flushes first.
 */
const FLUSH_MS = 200;
const FK_VIOLATION = '23503';

type Entry = { id: string; orgId: string; sandboxId: string; cmd: string; exitCode: number | null; durationMs: number; createdAt: string };
type State = { queue: Entry[]; scheduled: boolean; flushing: Promise<void> | null; fd: number | null; journal: string | null };

/**
 * The exec log is written after the response, in batches, and never lost:
 * - `recordExec` appends the entry to this process's journal file (one small synchronous write:
 *   it survives this process dying at any instant) and queues it; the response goes out;
 * - a flush at most FLUSH_MS later inserts everything queued by then in one statement,
 *   retries while the database does not answer, and empties the journal once all is stored;
 * - at start, `replayExecLogJournals` stores what dead processes left in theirs (entries carry
 *   their ids, so one stored twice is stored once), and a graceful stop drains the queue.
 * Reads of the log (`flushExecLog` first) see every command this process has answered.
 * State lives on globalThis: server.ts and Next's bundled route handlers share one queue.
 */
const KEY = Symbol.for('warren.execLogWriter');
const g = globalThis as unknown as { [KEY]?: State };
if (!g[KEY]) g[KEY] = { queue: [], scheduled: false, flushing: null, fd: null, journal: null };
const state = g[KEY];

const journalDir = () => path.join(env().dataDir, 'exec-log-journal');

export function recordExec(orgId: string, sandboxId: string, argv: string[], exitCode: number | null, durationMs: number): void {
  const createdAt = new Date(monotonicMs(sandboxId)).toISOString();
  const entry: Entry = { id: newId(), orgId, sandboxId, cmd: argv.join(' ').slice(0, 2000), exitCode, durationMs: Math.round(durationMs), createdAt };
  journalAppend(entry);
  state.queue.push(entry);
  schedule(FLUSH_MS);
}

/**
 * The log is read newest first by time, which has millisecond precision here: two commands of one
 * sandbox answered in the same millisecond would tie and could read back in either order. Each
 * sandbox's entries get strictly increasing times (a tie moves the later one by 1 ms).
 */
const lastMs = new Map<string, number>();
function monotonicMs(sandboxId: string): number {
  const now = Date.now();
  const ms = Math.max(now, (lastMs.get(sandboxId) ?? 0) + 1);
  if (lastMs.size > 10_000) for (const [id, t] of lastMs) if (t < now) lastMs.delete(id);
  lastMs.set(sandboxId, ms);
  return ms;
}

/** Stores everything queued so far (reads call it first; a graceful stop calls it last). */
export async function flushExecLog(): Promise<void> {
  while (state.flushing) await state.flushing;
  if (state.queue.length === 0) return;
  state.flushing = writeQueued().finally(() => {
    state.flushing = null;
  });
  await state.flushing;
}

function schedule(ms: number) {
  if (state.scheduled) return;
  state.scheduled = true;
  setTimeout(() => {
    state.scheduled = false;
    flushExecLog().catch((err) => {
      logger.warn({ err: (err as Error).message, queued: state.queue.length }, 'exec log not stored yet; retrying');
      schedule(RETRY_MS);
    });
  }, ms);
}

async function writeQueued(): Promise<void> {
  while (state.queue.length) {
    const batch = state.queue.slice(0, BATCH);
    await insert(batch);
    state.queue.splice(0, batch.length);
    await trim([...new Set(batch.map((e) => e.sandboxId))]);
  }
  // Everything the journal holds is stored now (appends are synchronous: none slipped in).
  if (state.fd !== null) fs.ftruncateSync(state.fd, 0);
}

/** drizzle wraps the driver's error; the Postgres code is on it or on a cause. */
function pgCode(err: unknown): string | undefined {
  for (let e = err; e; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

async function insert(batch: Entry[]): Promise<void> {
  const db = await getDb();
  const rows = batch.map((e) => ({ ...e, createdAt: new Date(e.createdAt) }));
  try {
    await db.insert(schema.execLog).values(rows).onConflictDoNothing();
  } catch (err) {
    if (pgCode(err) !== FK_VIOLATION) throw err;
    // A sandbox in the batch was deleted meanwhile, and its log with it: store the others.
    const { sandboxes } = schema;
    const ids = [...new Set(batch.map((e) => e.sandboxId))];
    const live = new Set((await db.select({ id: sandboxes.id }).from(sandboxes).where(inArray(sandboxes.id, ids))).map((r) => r.id));
    const keep = rows.filter((r) => live.has(r.sandboxId));
    if (keep.length) await db.insert(schema.execLog).values(keep).onConflictDoNothing();
  }
}

/** Trimming on every flush would double the cost of fast execs; ~1 in 10 keeps it bounded. */
async function trim(sandboxIds: string[]): Promise<void> {
  const db = await getDb();
  const { execLog } = schema;
  for (const sandboxId of sandboxIds) {
    if (Math.random() >= 0.1) continue;
    const keep = db.select({ id: execLog.id }).from(execLog).where(eq(execLog.sandboxId, sandboxId)).orderBy(sql`${execLog.createdAt} desc`).limit(EXEC_LOG_KEEP);
    await db.delete(execLog).where(and(eq(execLog.sandboxId, sandboxId), notInArray(execLog.id, keep)));
  }
}

function journalAppend(entry: Entry): void {
  try {
    if (state.fd === null) {
      fs.mkdirSync(journalDir(), { recursive: true, mode: 0o700 });
      state.journal = path.join(journalDir(), `${process.pid}.ndjson`);
      state.fd = fs.openSync(state.journal, 'a', 0o600);
    }
    fs.writeSync(state.fd, `${JSON.stringify(entry)}\n`);
  } catch (err) {
    // A full or read-only disk must not fail the command that already ran; it is still queued.
    logger.warn({ err: (err as Error).message }, 'exec log journal not writable');
  }
}

/** At start: stores the entries of journals whose process is gone, then removes them. */
export async function replayExecLogJournals(): Promise<number> {
  let files: string[];
  try {
    files = fs.readdirSync(journalDir()).filter((f) => /^\d+\.ndjson$/.test(f));
  } catch {
    return 0;
  }
  let replayed = 0;
  for (const f of files) {
    const pid = Number(f.split('.')[0]);
    if (pid === process.pid || alive(pid)) continue;
    const file = path.join(journalDir(), f);
    const entries = fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .flatMap((line) => {
        try {
          return line ? [JSON.parse(line) as Entry] : []; // a torn last line (killed mid-write) is skipped
        } catch {
          return [];
        }
      });
    for (let i = 0; i < entries.length; i += BATCH) await insert(entries.slice(i, i + BATCH));
    fs.rmSync(file, { force: true });
    replayed += entries.length;
  }
  return replayed;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
