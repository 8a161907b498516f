/**
 * How long a memoised API key or org gate (./api-key-cache.ts, lib/billing/org-gate-cache.ts)
 * may be served: half a second after it was read, or up to a minute while this console provably
 * hears every invalidation.
 *
 * Every change those memos depend on notifies `warren_auth_cache` when it commits, from a
 * database trigger (drizzle/0024: on update, delete and truncate, enabled ALWAYS so sessions in
 * replica mode fire it too), whichever process made it; the console listens
 * (lib/server/auth-cache-bus.ts) and forgets its memos on each notification. The listening
 * connection can die without anyone noticing at once, so the console also notifies its own
 * heartbeat every HEARTBEAT_MS, stamped with the time it was sent. Postgres delivers
 * notifications in commit order, so receiving a heartbeat sent at H proves every invalidation
 * committed before H was received (and applied) already. A memo older than the short TTL is only
 * used while such a proof is under PROOF_MAX_AGE_MS old: a change committed at T that has not
 * arrived means T ≥ H, so it is missed for at most PROOF_MAX_AGE_MS. Hence a revoked key fails
 * within a second on every console, listener or not, as before; usually at once.
 * What it cannot see: a change made with those triggers disabled by hand (ALTER TABLE … DISABLE
 * TRIGGER), which then reaches memos when they are next read, within a minute.
 * On globalThis: server.ts's fast path and Next's bundled handlers share it.
 */
export const SHORT_TTL_MS = 500;
export const LONG_TTL_MS = 60_000;
export const HEARTBEAT_MS = 200;
export const PROOF_MAX_AGE_MS = 900;

const KEY = Symbol.for('warren.memoFreshness');
const g = globalThis as unknown as { [KEY]?: { provenAt: number } };
if (!g[KEY]) g[KEY] = { provenAt: Number.NEGATIVE_INFINITY };
const state = g[KEY];

/** The memos' clock: monotonic (a wall clock stepped back would stretch a proof's age), in ms.
 * The stamps never leave this process. */
export const memoClock = () => performance.now();

/** Whether a memo read at `readAt` (memoClock) may still be served at `now`. */
export function memoFresh(readAt: number, now = memoClock()): boolean {
  if (now < readAt + SHORT_TTL_MS) return true;
  return now < readAt + LONG_TTL_MS && now - state.provenAt <= PROOF_MAX_AGE_MS;
}

/** A heartbeat sent at `sentAt` (memoClock) came back: every invalidation committed before then is applied. */
export function heardEverythingUpTo(sentAt: number): void {
  if (sentAt > state.provenAt) state.provenAt = sentAt;
}

/** The listener went away or came back: nothing is proven until its next heartbeat. */
export function forgetListenerProof(): void {
  state.provenAt = Number.NEGATIVE_INFINITY;
}
