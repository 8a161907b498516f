import type { LocalSandboxManager } from './local-manager';

/**
 * Enforces timeouts: a sandbox past its hard TTL, or idle longer than its idle timeout, is
 * stopped (processes gone, files kept), with the reason recorded.
 */
export function startReaper(m: LocalSandboxManager, everyMs = 1000): () => void {
  let busy = false;
  const timer = setInterval(async () => {
    if (busy) return;
    busy = true;
    try {
      const now = Date.now();
      for (const rec of m.table.visible()) {
        if (rec.state !== 'running' && rec.state !== 'paused') continue;
        let reason: string | undefined;
        if (rec.expiresAt && Date.parse(rec.expiresAt) <= now) reason = 'timeout';
        else if (rec.idleTimeoutSec > 0 && Date.parse(rec.lastActivityAt) + rec.idleTimeoutSec * 1000 <= now) reason = 'idle';
        if (reason) await m.stop(rec.id, reason).catch((err) => m.log.error({ err, sandbox: rec.id }, 'reaper could not stop sandbox'));
      }
    } finally {
      busy = false;
    }
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
