import { memoFresh, SHORT_TTL_MS } from '@/lib/auth/memo-freshness';

/**
 * A short-lived, in-memory memo of what the API gate (./gate.ts) reads about an org on every
 * request: whether it is suspended and its API rate limit. Like the API key memo
 * (lib/auth/api-key-cache.ts), an entry lives half a second, or up to a minute while this console
 * provably hears every change (lib/auth/memo-freshness.ts), so a suspension or a new limit made
 * by another console process sharing the database takes effect there at once, within a second at worst; in this
 * process every such change calls `forgetOrgGates()`, so it takes effect on the next request.
 * On globalThis: server.ts's fast path and Next's bundled handlers must share one memo.
 */
export const ORG_GATE_TTL_MS = SHORT_TTL_MS;
const MAX_ENTRIES = 10_000;

export type OrgGate = { suspendedAt: Date | null; suspendedReason: string | null; rpm: number | null };
type Entry = { gate: OrgGate; readAt: number };
const KEY = Symbol.for('warren.orgGateCache');
const g = globalThis as unknown as { [KEY]?: { entries: Map<string, Entry>; generation: number } };
if (!g[KEY]) g[KEY] = { entries: new Map<string, Entry>(), generation: 0 };
const state = g[KEY];

/** Taken before the org is read: a read that raced a change is not remembered. */
export const orgGateGeneration = () => state.generation;

export function cachedOrgGate(orgId: string): OrgGate | undefined {
  const e = state.entries.get(orgId);
  if (!e) return undefined;
  if (!memoFresh(e.readAt)) {
    state.entries.delete(orgId);
    return undefined;
  }
  return e.gate;
}

/** `readAt`: lib/auth/memo-freshness.ts memoClock() when the read began. */
export function rememberOrgGate(orgId: string, gate: OrgGate, generation: number, readAt: number): void {
  if (generation !== state.generation) return;
  if (state.entries.size >= MAX_ENTRIES) state.entries.delete(state.entries.keys().next().value!);
  state.entries.set(orgId, { gate: Object.freeze(gate), readAt });
}

/** Called by anything that suspends or lifts a suspension, or changes a plan or an org's limits. */
export function forgetOrgGates(): void {
  state.generation++;
  state.entries.clear();
}
