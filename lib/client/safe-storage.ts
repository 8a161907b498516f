/**
 * sessionStorage that never throws. A browser that blocks third-party storage (incognito, strict
 * privacy settings) throws a SecurityError on the mere `window.sessionStorage` access inside a
 * cross-site <iframe>; a full quota throws on write. Values then live in memory for this page
 * only, and `persistent` says so, so the page can tell the person what they lose (a reload).
 */
export type SafeStorage = { get: (key: string) => string | null; set: (key: string, value: string) => void; persistent: boolean };

export function safeSessionStorage(): SafeStorage {
  const memory = new Map<string, string>();
  let store: Storage | null = null;
  try {
    store = window.sessionStorage;
    const probe = '__warren_probe__';
    store.setItem(probe, '1');
    store.removeItem(probe);
  } catch {
    store = null;
  }
  return {
    persistent: store !== null,
    get: (key) => {
      try {
        return store?.getItem(key) ?? memory.get(key) ?? null;
      } catch {
        return memory.get(key) ?? null;
      }
    },
    set: (key, value) => {
      memory.set(key, value);
      try {
        store?.setItem(key, value);
      } catch {
        // Kept in memory: this page still reconnects to the same sandbox.
      }
    },
  };
}
