/**
 * Sandboxes with an action on its way to the runner (create, start/stop/pause/resume, delete).
 * The reconciler leaves them alone until the action has answered, so it cannot apply a runner
 * state read before the action (undoing a stop, or freeing a start's slot mid-boot). Kept on
 * globalThis: route handlers and the reconciler are separate module graphs of one process.
 */
const KEY = Symbol.for('warren.sandbox-inflight');
const g = globalThis as unknown as { [KEY]?: Map<string, number> };
g[KEY] ??= new Map();
const counts = g[KEY];

export async function inflight<T>(id: string, fn: () => Promise<T>): Promise<T> {
  counts.set(id, (counts.get(id) ?? 0) + 1);
  try {
    return await fn();
  } finally {
    const left = (counts.get(id) ?? 1) - 1;
    if (left > 0) counts.set(id, left);
    else counts.delete(id);
  }
}

export function isInflight(id: string): boolean {
  return counts.has(id);
}
