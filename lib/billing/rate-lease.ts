import type { Db } from '@/db';
import { type TokenTake, takeApiTokens } from './rate-limit';

/**
 * Per-key token leases, so a busy key does not pay a database write per request. The bucket in
 * Postgres (./rate-limit.ts) stays the one source of truth: a console takes tokens from it and
 * spends them locally, and only what it took can be spent, so several consoles sharing the
 * database together never pass more than the limit. A key's lease starts at one token (a quiet
 * key costs what it did: one upsert per request, and racing requests each take their own), and
 * doubles each time the last lease ran out within LEASE_MS, up to a second's worth of the key's
 * rate (at most MAX_LEASE). Tokens unspent after LEASE_MS are dropped, not returned: at worst a
 * key gets 429s a little early, never requests beyond its limit, and a limit change (which drops
 * every lease: `forgetRateLeases`) applies at once.
 * On globalThis: server.ts's fast path and Next's bundled handlers must share the leases.
 */
const LEASE_MS = 1000;
const MAX_LEASE = 50;
const MAX_KEYS = 10_000;

type Lease = { tokens: number; until: number; size: number; perMinute: number };
const KEY = Symbol.for('warren.rateLeases');
const g = globalThis as unknown as { [KEY]?: Map<string, Lease> };
if (!g[KEY]) g[KEY] = new Map<string, Lease>();
const leases = g[KEY];

export async function takeLeasedApiToken(apiKeyId: string, perMinute: number, db?: Db): Promise<TokenTake> {
  const now = Date.now();
  const lease = leases.get(apiKeyId);
  if (lease && lease.perMinute === perMinute && lease.until > now && lease.tokens >= 1) {
    lease.tokens -= 1;
    return { allowed: true, tokens: lease.tokens, retryAfterSec: 0 };
  }
  // The last lease ran out while still fresh: this key is busy, take more next time.
  const busy = lease !== undefined && lease.perMinute === perMinute && lease.until > now;
  const size = busy ? Math.min(lease.size * 2, Math.max(1, Math.floor(perMinute / 60)), MAX_LEASE) : 1;
  const take = await takeApiTokens(apiKeyId, perMinute, size, db);
  if (!take.allowed) return take;
  if (leases.size >= MAX_KEYS && !leases.has(apiKeyId)) leases.delete(leases.keys().next().value!);
  leases.set(apiKeyId, { tokens: take.taken - 1, until: now + LEASE_MS, size, perMinute });
  return take;
}

/** Drops every lease (a limit changed, or tests reset a bucket). */
export function forgetRateLeases(): void {
  leases.clear();
}
