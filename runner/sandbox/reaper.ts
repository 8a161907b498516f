import fs from 'node:fs';
import { oomKills } from '../runtime/cgroups';
import { cgroupsPathFor } from './lifecycle';
import type { LocalSandboxManager } from './local-manager';

/**
 * Enforces timeouts: a sandbox past its hard TTL, or idle longer than its idle timeout, is
 * stopped (processes gone, files kept) or, when its `onTimeout` says so, paused (memory kept),
 * with the reason recorded. (`onTimeout: delete` is the console's: it deletes what stopped.) It also notices a sandbox
 * whose container ended by itself (its agent, the container's init, was killed by the OOM killer
 * or from the host): otherwise it would stay "running" with every exec failing until someone
 * stopped it or the runner restarted.
 */
export function startReaper(m: LocalSandboxManager, everyMs = 1000): () => void {
  let busy = false;
  const timer = setInterval(async () => {
    if (busy) return;
    busy = true;
    try {
      const now = Date.now();
      for (const rec of m.table.visible()) {
        // A sandbox being deleted (or deleted while this pass awaited another) is not stopped.
        if ((rec.state !== 'running' && rec.state !== 'paused') || rec.deleting || m.table.isGone(rec)) continue;
        // Pausing is what its timeout does: once paused it stays so until someone resumes it.
        const pauses = rec.onTimeout === 'pause';
        if (pauses && rec.state === 'paused') continue;
        let reason: string | undefined;
        let due = Date.now();
        const idleDue = Date.parse(rec.lastActivityAt) + rec.idleTimeoutSec * 1000;
        if (rec.expiresAt && Date.parse(rec.expiresAt) <= now) [reason, due] = ['timeout', Date.parse(rec.expiresAt)];
        else if (rec.idleTimeoutSec > 0 && idleDue <= now) [reason, due] = ['idle', idleDue];
        else if (rec.state === 'running' && hasExited(m.initPid.get(rec.key))) reason = oomKills(cgroupsPathFor(rec.key)) > 0 ? 'oom' : 'exited';
        if (!reason) continue;
        // The stop counts from when it was due: a TTL that passed while the runner was down is
        // not billed past it.
        const at = new Date(due).toISOString();
        const timedOut = reason === 'timeout' || reason === 'idle';
        await Promise.resolve()
          .then(() => (pauses && timedOut ? m.pause(rec.id, reason) : m.stop(rec.id, reason, at)))
          .catch((err) => m.log.error({ err, sandbox: rec.id }, 'reaper could not stop sandbox'));
      }
    } finally {
      busy = false;
    }
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** The container's init is gone, or a zombie nobody reaps (the host's PID 1 here does not). */
function hasExited(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    return /^State:\s+Z/m.test(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return true;
  }
}
