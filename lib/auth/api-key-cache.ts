import { memoClock, memoFresh, SHORT_TTL_MS } from './memo-freshness';
import type { OrgScope } from './scope';

/**
 * A short-lived, in-memory memo of verified API keys (by key hash), so an agent's burst of calls
 * costs one key lookup per TTL instead of one per call.
 *
 * Why this cannot weaken revocation:
 * - an entry is served for half a second after its read, or for up to a minute while this
 *   console provably hears every change as it commits (./memo-freshness.ts), so a key revoked,
 *   expired, or made invalid by any other console process sharing the database stops working
 *   there at once, and within a second if that console stops hearing (its listener is gone);
 * - in this process every change that can invalidate a key (revoke, org deleted or renamed,
 *   member removed or re-roled, creator disabled or enabled) calls `forgetVerifiedApiKeys()`,
 *   so it takes effect on the very next request;
 * - a key's own expiry is checked on every hit, and failures are never cached.
 * The map lives on globalThis: server.ts's fast path and Next's bundled route handlers are two
 * module graphs in one process and must share one memo (and one invalidation).
 */
export const API_KEY_CACHE_TTL_MS = SHORT_TTL_MS;
const MAX_ENTRIES = 10_000;

type Entry = { scope: OrgScope; expiresAt: number | null; readAt: number };
const KEY = Symbol.for('warren.apiKeyCache');
const g = globalThis as unknown as { [KEY]?: { entries: Map<string, Entry>; generation: number } };
if (!g[KEY]) g[KEY] = { entries: new Map<string, Entry>(), generation: 0 };
const state = g[KEY];
const cache = state.entries;

/** Taken before a key is looked up: a lookup that raced an invalidation is not remembered. */
export const apiKeyCacheGeneration = () => state.generation;

export function cachedApiKey(hash: string): OrgScope | undefined {
  const e = cache.get(hash);
  if (!e) return undefined;
  if (!memoFresh(e.readAt) || (e.expiresAt !== null && e.expiresAt <= Date.now())) {
    cache.delete(hash);
    return undefined;
  }
  return e.scope;
}

/** `readAt`: memoClock() when the read began. */
export function rememberApiKey(hash: string, scope: OrgScope, expiresAt: Date | null, generation: number, readAt = memoClock()): void {
  // The row was read before an invalidation that happened since: it may be the old state.
  if (generation !== state.generation) return;
  // Bounded: a flood of distinct valid keys only evicts the oldest entries (a Map iterates in
  // insertion order).
  if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value!);
  // Frozen: one scope object now serves many requests, none may alter it for the others.
  Object.freeze(scope.actor);
  cache.set(hash, { scope: Object.freeze(scope), expiresAt: expiresAt?.getTime() ?? null, readAt });
}

/** Drops every memoised key: called by anything that may make a verified key invalid. */
export function forgetVerifiedApiKeys(): void {
  state.generation++;
  cache.clear();
}

/** Runs a change (its transaction) and then forgets every memoised key, even when it fails
 * halfway: for changes that can make a key invalid or change what its scope says. */
export async function thenForgetApiKeys<T>(change: Promise<T>): Promise<T> {
  try {
    return await change;
  } finally {
    forgetVerifiedApiKeys();
  }
}
