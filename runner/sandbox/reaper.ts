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
        let due = 0;
        const idleDue = Date.parse(rec.lastActivityAt) + rec.idleTimeoutSec * 1000;
        if (rec.expiresAt && Date.parse(rec.expiresAt) <= now) [reason, due] = ['timeout', Date.parse(rec.expiresAt)];
        else if (rec.idleTimeoutSec > 0 && idleDue <= now) [reason, due] = ['idle', idleDue];
        // The stop counts from when it was due: a TTL that passed while the runner was down is
        // not billed past it.
        if (reason) await m.stop(rec.id, reason, new Date(due).toISOString()).catch((err) => m.log.error({ err, sandbox: rec.id }, 'reaper could not stop sandbox'));
      }
    } finally {
      busy = false;
    }
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
