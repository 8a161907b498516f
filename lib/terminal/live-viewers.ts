/**
 * Live terminal viewers that came through an embed link, per link id, so that revoking the
 * link closes them at once. Kept on globalThis: the revoke runs in a Next route handler, the
 * viewers live in server.ts, and both are module graphs of the same process.
 */
const KEY = Symbol.for('warren.share-viewers');
const g = globalThis as unknown as { [KEY]?: Map<string, Set<() => void>> };
g[KEY] ??= new Map();
const viewers = g[KEY];

export function addShareViewer(shareId: string, close: () => void): () => void {
  const set = viewers.get(shareId) ?? new Set<() => void>();
  viewers.set(shareId, set);
  set.add(close);
  return () => {
    set.delete(close);
    if (set.size === 0) viewers.delete(shareId);
  };
}

export function cutShareViewers(shareId: string): number {
  const set = viewers.get(shareId);
  if (!set) return 0;
  for (const close of [...set]) close();
  viewers.delete(shareId);
  return set.size;
}

export function shareViewerCount(shareId: string): number {
  return viewers.get(shareId)?.size ?? 0;
}
