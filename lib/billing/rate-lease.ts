import type { Db } from '@/db';
import { type TokenTake, takeApiTokens } from './rate-limit';

/**
 * Per-key token leases, so a key does not wait for a database write on every request. The
 * bucket in Postgres (./rate-limit.ts) stays the one source of truth: a console takes tokens from
 * it and spends them locally, and only what it took can be spent, so several consoles sharing the
 * database together never pass more than the limit.
 *
 * A key's first lease is one token, taken while its request waits. When half a lease is spent
 * (a one-token lease: when it is), the next one is taken ahead, in the background, so the key's
 * next requests find it ready, and a request that finds the lease empty while that take is on its
 * way waits for it instead of writing the bucket itself (under 50 concurrent requests of one key,
 * each of them wrote its own take: one bucket write per five requests, all on one row; now about
 * one per fifty, bench/api-throughput):
 * - it doubles each time the last one was half spent within LEASE_MS/2 of being taken (a busy
 *   key), up to a second's worth of the key's rate (at most MAX_LEASE), halves when it was not,
 *   and lives LEASE_MS (what is left of the last one lives on with it);
 * - after a one-token lease spent slowly, it is one token that lives RESERVE_MS (an agent
 *   calling every few seconds);
 * - only while the bucket had at least half its tokens left at the last take, and only for keys
 *   allowed RESERVE_MIN_RPM or more: near its limit (or with a small limit) a key takes each
 *   token as its request needs it, so no token sits in a lease while a request is refused.
 * Tokens unspent when their lease ends are dropped, not returned: at worst a key gets 429s a
 * little early, never requests beyond its limit, and a limit change applies at once (a lease
 * records the limit it was taken under and is never spent under another). The
 * quotas view's per-key use counts tokens held in a lease as used.
 * On globalThis: server.ts's fast path and Next's bundled handlers must share the leases.
 */
const LEASE_MS = 1000;
const RESERVE_MS = 30_000;
const RESERVE_MIN_RPM = 60;
const MAX_LEASE = 50;
const MAX_KEYS = 10_000;

type Lease = {
  tokens: number;
  until: number;
  size: number;
  perMinute: number;
  takenAt: number;
  /** What the bucket held after the last take. */
  bucketLeft: number;
  /** The take ahead on its way, if any. */
  refill: Promise<void> | null;
};
const KEY = Symbol.for('warren.rateLeases');
const g = globalThis as unknown as { [KEY]?: Map<string, Lease> };
if (!g[KEY]) g[KEY] = new Map<string, Lease>();
const leases = g[KEY];

export async function takeLeasedApiToken(apiKeyId: string, perMinute: number, db?: Db): Promise<TokenTake> {
  const lease = leases.get(apiKeyId);
  const live = (l: Lease | undefined): l is Lease => l !== undefined && leases.get(apiKeyId) === l && l.perMinute === perMinute && l.until > Date.now();
  if (live(lease) && lease.tokens >= 1) return spend(apiKeyId, lease, db);
  if (live(lease) && lease.refill) {
    await lease.refill;
    if (live(lease) && lease.tokens >= 1) return spend(apiKeyId, lease, db);
  }
  const now = Date.now();
  // The last lease ran out while still fresh: this key is busy, take more.
  const busy = lease !== undefined && lease.perMinute === perMinute && lease.until > now;
  const size = busy ? nextSize(lease.size, perMinute) : 1;
  const take = await takeApiTokens(apiKeyId, perMinute, size, db);
  if (!take.allowed) return take;
  if (leases.size >= MAX_KEYS && !leases.has(apiKeyId)) leases.delete(leases.keys().next().value!);
  // The same lease object when the limit is the same: a take ahead still on its way adds to it.
  const current = leases.get(apiKeyId);
  const next: Lease = current?.perMinute === perMinute ? current : { tokens: 0, until: 0, size, perMinute, takenAt: now, bucketLeft: 0, refill: null };
  // What a take ahead landed meanwhile is kept; what an ended lease held is not.
  const kept = next.until > Date.now() ? next.tokens : 0;
  Object.assign(next, { tokens: kept + take.taken - 1, until: now + LEASE_MS, size, takenAt: now, bucketLeft: take.tokens });
  leases.set(apiKeyId, next);
  if (next.tokens < next.size / 2) takeAhead(apiKeyId, next, busy, db);
  return take;
}

function spend(apiKeyId: string, lease: Lease, db?: Db): TokenTake {
  lease.tokens -= 1;
  // Busy: spent this far (half; a one-token lease: all) within as much of LEASE_MS.
  if (lease.tokens < lease.size / 2) takeAhead(apiKeyId, lease, Date.now() - lease.takenAt < (lease.size === 1 ? LEASE_MS : LEASE_MS / 2), db);
  return { allowed: true, tokens: lease.tokens, retryAfterSec: 0 };
}

const nextSize = (size: number, perMinute: number) => Math.min(size * 2, Math.max(1, Math.floor(perMinute / 60)), MAX_LEASE);

/**
 * The lease after this one, taken now in the background (see above for when). `busy`: the lease
 * being spent was half spent within LEASE_MS/2 of being taken, a one-token lease within LEASE_MS
 * (a lease of one token taken by the very request that spends it says nothing about that, so its
 * caller passes whether the lease before it did).
 */
function takeAhead(apiKeyId: string, lease: Lease, busy: boolean, db?: Db): void {
  if (lease.refill || lease.perMinute < RESERVE_MIN_RPM || lease.bucketLeft < lease.perMinute / 2) return;
  const startedAt = Date.now();
  const size = busy ? nextSize(lease.size, lease.perMinute) : Math.max(1, Math.floor(lease.size / 2));
  // Only a slow one-token lease becomes a reserve: a bigger one still holds tokens, which must
  // not outlive LEASE_MS by much.
  const reserve = lease.size === 1 && !busy;
  lease.refill = takeApiTokens(apiKeyId, lease.perMinute, size, db)
    .then((take) => {
      // Dropped meanwhile (a limit changed): the tokens are dropped with it, never spent.
      if (leases.get(apiKeyId) !== lease) return;
      lease.bucketLeft = take.tokens;
      if (!take.allowed) return;
      if (lease.until <= Date.now()) lease.tokens = 0; // what the lease held has run out
      lease.tokens += take.taken;
      lease.size = size;
      lease.takenAt = startedAt;
      lease.until = Math.max(lease.until, startedAt + (reserve ? RESERVE_MS : LEASE_MS));
    })
    .catch(() => {}) // the next request takes its own token, as it would have
    .finally(() => {
      lease.refill = null;
    });
}
