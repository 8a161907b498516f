import { eq, sql } from 'drizzle-orm';
import { getDb, schema, type Tx } from '@/db';
import { logger } from '@/lib/logger';
import { isRunnerUnavailable, type JournalEvent } from '@/lib/runner-client';
import { listRunners, type RunnerRow, runnerClient } from '@/lib/runners/registry';
import { SANDBOX_ID_SHAPE } from '@/lib/sandboxes/name-rule';
import { applyEvent, loadContext } from './apply-events';
import { recomputeRollups, rollOver, Touched } from './periods';

const { runners } = schema;
const log = logger.child({ component: 'meter' });
const PAGE = 500;
/** An event whose subject has no row yet (the console writes a snapshot's row after the runner
 * answers) is waited for this long, then skipped: a runner's sandbox no org owns is not billed.
 * Short, because waiting holds up the rest of that runner's journal. */
const WAIT_FOR_ROW_MS = 60_000;
/** How long one meter pass may run before the next starts beside it. */
const STUCK_PASS_MS = 30_000;

/**
 * Whether a console row could still appear for an event's subject. Console sandbox ids are
 * always 20 letters and digits (lib/sandboxes/name-rule.ts); a runner's own sandboxes (a
 * template build's step sandboxes, `bld…`) never get a row, and waiting for one held up every
 * org's metering on that runner for a minute after each build.
 */
function mayStillGetRow(e: JournalEvent): boolean {
  return e.type === 'snapshot' || SANDBOX_ID_SHAPE.test(e.sandboxId);
}

/** One console at a time moves the meter (several consoles may share a database). */
export const lockMeter = (tx: Tx) => tx.execute(sql`select pg_advisory_xact_lock(hashtextextended('warren:usage-meter', 0))`);

/**
 * Reads a runner's usage journal from the stored cursor and applies it. Each page is applied in
 * one transaction together with the cursor, so a console killed at any point re-reads exactly
 * what it had not committed: nothing lost, nothing counted twice. A runner with a new journal
 * (its data dir was replaced) is read from its start.
 */
export async function ingestRunner(runnerId: string): Promise<number> {
  const client = await runnerClient(runnerId);
  const db = await getDb();
  let applied = 0;
  for (;;) {
    const [row] = await db.select().from(runners).where(eq(runners.id, runnerId));
    if (!row) return applied;
    const fresh = row.journalId !== null;
    let page = await client.events(row.journalSeq, PAGE);
    let cursor = row.journalSeq;
    if (page.journalId !== row.journalId) {
      if (fresh) log.warn({ runner: runnerId, was: row.journalId, now: page.journalId }, 'runner has a new usage journal; reading it from the start');
      cursor = 0;
      page = await client.events(0, PAGE);
    }
    const next = await db.transaction(async (tx) => {
      await lockMeter(tx);
      const [locked] = await tx.select().from(runners).where(eq(runners.id, runnerId)).for('update');
      // Another console moved this cursor meanwhile: start over from where it is now.
      if (!locked || (locked.journalId === page.journalId && locked.journalSeq !== cursor)) return null;
      const ctx = await loadContext(tx, page.events, runnerId);
      const touched = new Touched();
      let last = cursor;
      for (const e of page.events) {
        const ok = await applyEvent(tx, e, ctx, touched);
        if (!ok && mayStillGetRow(e) && Date.now() - Date.parse(e.at) < WAIT_FOR_ROW_MS) break;
        last = e.seq;
      }
      await recomputeRollups(tx, touched);
      await tx.update(runners).set({ journalId: page.journalId, journalSeq: last }).where(eq(runners.id, runnerId));
      return last;
    });
    if (next === null) continue;
    applied += next - cursor;
    if (next === cursor || page.events.length < PAGE) return applied;
  }
}

/** Cuts open periods at the current hour's start (so no period spans an hour). */
export async function rollOverHour(now = new Date()): Promise<number> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    await lockMeter(tx);
    const touched = new Touched();
    const n = await rollOver(tx, now, touched);
    await recomputeRollups(tx, touched);
    return n;
  });
}

export type MeterStatus = { lastRunAt: string | null; lastError: string | null };
const STATUS_KEY = Symbol.for('warren.meter-status');
const g = globalThis as unknown as { [STATUS_KEY]?: MeterStatus };
export const meterStatus = () => g[STATUS_KEY] ?? null;

/**
 * The meter's loop: every `everyMs` it ingests each runner's journal and rolls periods over the
 * hour. A runner that is down is skipped (its journal keeps everything until it is back).
 */
export function startUsageMeter(everyMs = 2000): () => Promise<void> {
  const status: MeterStatus = { lastRunAt: null, lastError: null };
  g[STATUS_KEY] = status;
  let running: Promise<unknown> | null = null;
  let runningSince = 0;
  let stopped = false;
  const tick = () => {
    if (stopped) return;
    if (running) {
      // A pass that never ends (a call that hangs) must not stop metering for good. Passes may
      // overlap safely: each runner's cursor moves under the meter's lock, as with two consoles.
      if (Date.now() - runningSince < STUCK_PASS_MS) return;
      log.warn({ sinceMs: Date.now() - runningSince }, 'a meter pass has not ended; starting another beside it');
    }
    runningSince = Date.now();
    const pass: Promise<unknown> = (async () => {
      status.lastRunAt = new Date().toISOString();
      let error: string | null = null;
      for (const r of await listRunners().catch(() => [] as RunnerRow[])) {
        await ingestRunner(r.id).catch((err) => {
          error = `${r.id}: ${(err as Error).message}`;
          // A runner away is routine (debug); anything else stops metering on it: say so.
          if (isRunnerUnavailable(err)) log.debug({ err, runner: r.id }, 'usage journal not read this time');
          else log.warn({ err, runner: r.id }, 'usage journal not read this time');
        });
      }
      await rollOverHour().catch((err) => {
        error = (err as Error).message;
        log.error({ err }, 'usage rollover failed');
      });
      status.lastError = error;
    })().finally(() => {
      if (running === pass) running = null;
    });
    running = pass;
  };
  tick();
  const timer = setInterval(tick, everyMs);
  timer.unref();
  return async () => {
    stopped = true;
    clearInterval(timer);
    await running;
  };
}
