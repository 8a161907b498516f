/**
 * A short-lived, in-memory memo of what the API gate (./gate.ts) reads about an org on every
 * request: whether it is suspended and its API rate limit. Like the API key memo
 * (lib/auth/api-key-cache.ts), an entry lives at most TTL_MS, so a suspension or a new limit made
 * by another console process sharing the database takes effect there within that time; in this
 * process every such change calls `forgetOrgGates()`, so it takes effect on the next request.
 * On globalThis: server.ts's fast path and Next's bundled handlers must share one memo.
 */
export const ORG_GATE_TTL_MS = 500;
const MAX_ENTRIES = 10_000;

export type OrgGate = { suspendedAt: Date | null; suspendedReason: string | null; rpm: number | null };
type Entry = { gate: OrgGate; until: number };
const KEY = Symbol.for('warren.orgGateCache');
const g = globalThis as unknown as { [KEY]?: { entries: Map<string, Entry>; generation: number } };
if (!g[KEY]) g[KEY] = { entries: new Map<string, Entry>(), generation: 0 };
const state = g[KEY];

/** Taken before the org is read: a read that raced a change is not remembered. */
export const orgGateGeneration = () => state.generation;

export function cachedOrgGate(orgId: string, now = Date.now()): OrgGate | undefined {
  const e = state.entries.get(orgId);
  if (!e) return undefined;
  if (e.until <= now) {
    state.entries.delete(orgId);
    return undefined;
  }
  return e.gate;
}

export function rememberOrgGate(orgId: string, gate: OrgGate, generation: number, now = Date.now()): void {
  if (generation !== state.generation) return;
  if (state.entries.size >= MAX_ENTRIES) state.entries.delete(state.entries.keys().next().value!);
  state.entries.set(orgId, { gate: Object.freeze(gate), until: now + ORG_GATE_TTL_MS });
}

/** Called by anything that suspends or lifts a suspension, or changes a plan or an org's limits. */
export function forgetOrgGates(): void {
  state.generation++;
  state.entries.clear();
}
