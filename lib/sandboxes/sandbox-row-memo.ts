import { memoFresh } from '@/lib/auth/memo-freshness';
import type { SandboxRow } from './view';

/**
 * Live sandbox rows, memoised like an API key (lib/auth/api-key-cache.ts), so an agent's exec and
 * every call through the E2B gateway cost no database round trip of their own. Exec uses only a
 * row's org and runner, which never change, and leaves its state to the runner; the gateway also
 * decides by the state (a paused sandbox answers 502), which is why state changes forget too.
 *
 * Why it cannot let a call reach what it should not, or act on a state that has passed:
 * - an entry is the row `ownedSandbox` returned for that org, and a hit for another org is a miss;
 * - it is served for half a second after its read, or up to a minute while this console provably
 *   hears every change as it commits (lib/auth/memo-freshness.ts): a sandbox's delete, a change
 *   of its state or runner, or its row going, notifies (drizzle/0026, 0028) and the entry goes
 *   unless it already shows what the row became; in this process every write of a row's state
 *   or delete (./store.ts, ./lifecycle.ts) forgets it at once;
 * - a runner's "Sandbox not found" for a memoised row is not trusted: the row is read again and
 *   the call goes the usual way (./exec.ts), so a stale memo ends as the 404 a fresh read gives;
 *   and a runner that is asked for a sandbox it has stopped or paused refuses on its own.
 * Calls that change a sandbox (lifecycle, snapshots, ports) read the row each time.
 * On globalThis: server.ts's fast path and Next's bundled handlers share it.
 */
const MAX_ENTRIES = 10_000;

type Entry = { row: SandboxRow; readAt: number };
const KEY = Symbol.for('warren.sandboxRowMemo');
const g = globalThis as unknown as { [KEY]?: { entries: Map<string, Entry>; generation: number } };
if (!g[KEY]) g[KEY] = { entries: new Map<string, Entry>(), generation: 0 };
const state = g[KEY];

/** Taken before the row is read: a read that raced a forget is not remembered. */
export const sandboxRowGeneration = () => state.generation;

export function recallSandboxRow(orgId: string, id: string): SandboxRow | undefined {
  const e = state.entries.get(id);
  if (!e) return undefined;
  if (!memoFresh(e.readAt)) {
    state.entries.delete(id);
    return undefined;
  }
  return e.row.orgId === orgId ? e.row : undefined;
}

/** `readAt`: memoClock() when the read began. */
export function rememberSandboxRow(row: SandboxRow, generation: number, readAt: number): void {
  if (generation !== state.generation) return;
  if (state.entries.size >= MAX_ENTRIES) state.entries.delete(state.entries.keys().next().value!);
  state.entries.set(row.id, { row: Object.freeze({ ...row }), readAt });
}

export function forgetSandboxRow(id: string): void {
  state.generation++;
  state.entries.delete(id);
}

/** What another writer says a row became (drizzle/0028's notice). */
export type SandboxRowNotice = { id: string; orgId: string; runnerId: string; state: string; deleted: boolean };

/**
 * A committed change of a row: forgotten unless the entry already shows exactly what the row
 * became (a create remembers the running row its own write returned, and this is that write's
 * notice arriving). Reads still under way are never remembered (the generation moves either
 * way): one that began before the commit may hold the row as it was.
 */
export function settleSandboxRow(notice: SandboxRowNotice): void {
  state.generation++;
  const e = state.entries.get(notice.id);
  if (!e) return;
  const r = e.row;
  const same = !notice.deleted && r.deletedAt === null && r.orgId === notice.orgId && r.runnerId === notice.runnerId && r.state === notice.state;
  if (!same) state.entries.delete(notice.id);
}

/** Every entry: the listener lost its connection, or a whole table changed. */
export function forgetSandboxRows(): void {
  state.generation++;
  state.entries.clear();
}
