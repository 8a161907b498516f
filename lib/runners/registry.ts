import { and, eq, ne, sql } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import type { RunnerCapacity } from '@/db/schema/runners';
import { AppError } from '@/lib/errors';
import { createRunnerClient, type RunnerClient, type RunnerTimeouts } from '@/lib/runner-client';
import { runnerStatus } from '@/lib/runner-status';
import { decryptToken, encryptToken } from './token-crypto';

const { runners } = schema;
export const LOCAL_RUNNER_ID = 'local';
export type RunnerRow = typeof runners.$inferSelect;

/** The message every "runner down" answer carries, plus why, when the console knows. */
export function runnerUnavailable(detail?: string): AppError {
  const s = runnerStatus();
  const why = detail ?? (s.state === 'unavailable' ? s.problems.map((p) => `${p.what} (${p.fix})`).join('; ') : undefined);
  return new AppError('runner_unavailable', `The sandbox runner is not reachable; try again shortly${why ? `. ${why}` : ''}`);
}

/**
 * Registers (or updates) the console's own runner under the id `local`, from the URL and token
 * the embedded runner (or the operator) put in WARREN_RUNNER_URL / WARREN_RUNNER_TOKEN.
 * Idempotent and cheap: boot calls it, and the reconciler calls it on every tick because the
 * embedded runner's URL only appears once its socket answers.
 */
export async function ensureLocalRunnerRegistered(): Promise<RunnerRow | null> {
  const url = process.env.WARREN_RUNNER_URL;
  const token = process.env.WARREN_RUNNER_TOKEN;
  if (!url || !token) return null;
  const db = await getDb();
  const [existing] = await db.select().from(runners).where(eq(runners.id, LOCAL_RUNNER_ID));
  if (existing && existing.url === url && safeDecrypt(existing.tokenCiphertext) === token) return existing;
  const values = { id: LOCAL_RUNNER_ID, name: 'Local runner', url, tokenCiphertext: encryptToken(token), state: 'ready' as const };
  // A new socket (the embedded runner restarted) must not undo an admin's drain.
  const [row] = await db
    .insert(runners)
    .values(values)
    .onConflictDoUpdate({ target: runners.id, set: { url, tokenCiphertext: values.tokenCiphertext, state: keepDraining('ready') } })
    .returning();
  return row ?? null;
}

/** Adds a remote runner (operators, `runner add`); the id must be a DNS-label-ish name. */
export async function registerRunner(input: { id: string; name?: string; url: string; token: string }): Promise<RunnerRow> {
  if (!/^[a-z0-9][a-z0-9-]{0,39}$/.test(input.id)) throw new AppError('validation_failed', 'Runner ids are lowercase letters, digits and hyphens');
  const db = await getDb();
  const tokenCiphertext = encryptToken(input.token);
  const [row] = await db
    .insert(runners)
    .values({ id: input.id, name: input.name ?? input.id, url: input.url, tokenCiphertext })
    .onConflictDoUpdate({ target: runners.id, set: { url: input.url, tokenCiphertext, name: input.name ?? input.id } })
    .returning();
  return row!;
}

export async function removeRunner(id: string): Promise<void> {
  const db = await getDb();
  await db.delete(runners).where(eq(runners.id, id));
}

export async function listRunners(): Promise<RunnerRow[]> {
  const db = await getDb();
  return db.select().from(runners);
}

/** `state` unless the runner is draining: health never undoes an admin's decision. */
const keepDraining = (state: 'ready' | 'unreachable') => sql`case when ${runners.state} = 'draining' then 'draining' else ${state} end`;

/**
 * The reconciler's view of a runner's health. A draining runner keeps its state but its
 * heartbeat and capacity stay current (the admin's runners page shows them); one conditional
 * write each, so a drain that lands between a read and a write is never overwritten.
 */
export async function recordRunnerHealth(id: string, ok: boolean, capacity?: RunnerCapacity): Promise<void> {
  const db = await getDb();
  if (ok) {
    await db
      .update(runners)
      .set({ state: keepDraining('ready'), heartbeatAt: new Date(), ...(capacity ? { capacity } : {}) })
      .where(eq(runners.id, id));
  } else {
    await db.update(runners).set({ state: 'unreachable' }).where(and(eq(runners.id, id), ne(runners.state, 'draining')));
  }
}

/**
 * Deadlines of the console's runner calls: WARREN_RUNNER_TIMEOUT_MS (default 30 s) for control
 * calls; transfers and streams may stay silent twice that, exec gets its own timeoutSec plus it,
 * and a snapshot (a copy of the sandbox's files) twenty times it.
 */
export function runnerTimeouts(): RunnerTimeouts {
  const raw = process.env.WARREN_RUNNER_TIMEOUT_MS;
  const callMs = raw ? Number(raw) : 30_000;
  if (!Number.isInteger(callMs) || callMs <= 0) throw new Error(`WARREN_RUNNER_TIMEOUT_MS must be a positive number of milliseconds, got ${raw}`);
  return { callMs, idleMs: 2 * callMs, execMarginMs: callMs, snapshotMs: 20 * callMs };
}

const clients = new Map<string, RunnerClient>();

/**
 * A client for the runner that holds a sandbox. The local runner prefers the live environment
 * (the embedded runner may have restarted on a new socket since the row was written).
 */
export async function runnerClient(runnerId: string): Promise<RunnerClient> {
  let url: string | undefined;
  let token: string | undefined;
  if (runnerId === LOCAL_RUNNER_ID && process.env.WARREN_RUNNER_URL && process.env.WARREN_RUNNER_TOKEN) {
    url = process.env.WARREN_RUNNER_URL;
    token = process.env.WARREN_RUNNER_TOKEN;
  } else {
    const db = await getDb();
    const [row] = await db.select().from(runners).where(eq(runners.id, runnerId));
    if (!row) throw runnerUnavailable(`Runner ${runnerId} is not registered`);
    url = row.url;
    token = safeDecrypt(row.tokenCiphertext) ?? undefined;
    if (!token) throw runnerUnavailable(`The token of runner ${runnerId} cannot be read (was AUTH_SECRET changed?)`);
  }
  const key = `${url}\n${token}`;
  let client = clients.get(key);
  if (!client) {
    client = createRunnerClient({ url, token, timeouts: runnerTimeouts() });
    clients.set(key, client);
  }
  return client;
}

function safeDecrypt(stored: string): string | null {
  try {
    return decryptToken(stored);
  } catch {
    return null;
  }
}
