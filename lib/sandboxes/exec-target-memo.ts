import { memoFresh } from '@/lib/auth/memo-freshness';
import type { SandboxRow } from './view';

/**
 * Which live sandbox an exec goes to, memoised like an API key (lib/auth/api-key-cache.ts), so an
 * agent's exec costs no database round trip of its own. Only exec reads it: exec needs the
 * sandbox's org and runner, which never change, and not its state (the runner answers for that);
 * calls that decide by state (files, processes, terminals, lifecycle) read the row each time.
 *
 * Why it cannot let a call reach what it should not:
 * - an entry is the row `ownedSandbox` returned for that org, and a hit for another org is a miss;
 * - it is served for half a second after its read, or up to a minute while this console provably
 *   hears every change as it commits (lib/auth/memo-freshness.ts): a sandbox's delete, or its row
 *   going, notifies `sandbox:<id>` (drizzle/0026), and in this process `markDeleted` and
 *   `markLost` forget it at once;
 * - a runner's "Sandbox not found" for a memoised row is not trusted: the row is read again and
 *   the call goes the usual way (./exec.ts), so a stale memo ends as the 404 a fresh read gives.
 * On globalThis: server.ts's fast path and Next's bundled handlers share it.
 */
const MAX_ENTRIES = 10_000;

type Entry = { row: SandboxRow; readAt: number };
const KEY = Symbol.for('warren.execTargetMemo');
const g = globalThis as unknown as { [KEY]?: { entries: Map<string, Entry>; generation: number } };
if (!g[KEY]) g[KEY] = { entries: new Map<string, Entry>(), generation: 0 };
const state = g[KEY];

/** Taken before the row is read: a read that raced a forget is not remembered. */
export const execTargetGeneration = () => state.generation;

export function recallExecTarget(orgId: string, id: string): SandboxRow | undefined {
  const e = state.entries.get(id);
  if (!e) return undefined;
  if (!memoFresh(e.readAt)) {
    state.entries.delete(id);
    return undefined;
  }
  return e.row.orgId === orgId ? e.row : undefined;
}

/** `readAt`: memoClock() when the read began. */
export function rememberExecTarget(row: SandboxRow, generation: number, readAt: number): void {
  if (generation !== state.generation) return;
  if (state.entries.size >= MAX_ENTRIES) state.entries.delete(state.entries.keys().next().value!);
  state.entries.set(row.id, { row: Object.freeze({ ...row }), readAt });
}

export function forgetExecTarget(id: string): void {
  state.generation++;
  state.entries.delete(id);
}

/** Every entry: the listener lost its connection, or a whole table changed. */
export function forgetExecTargets(): void {
  state.generation++;
  state.entries.clear();
}
