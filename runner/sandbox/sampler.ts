import { cgroupUsage } from '../runtime/cgroups';
import { cgroupsPathFor } from './lifecycle';
import type { MeteredRecord } from './meter';
import type { LocalSandboxManager } from './local-manager';

/**
 * Every `everyMs` (30 s by default) the meter learns each live sandbox's CPU time, and each
 * stopped sandbox's disk use when it changed; live sandboxes also get `lastSeenAt`, the stop time
 * the runner journals for a sandbox the host lost (a reboot) without seeing it stop.
 */
export function startSampler(m: LocalSandboxManager, everyMs = 30_000): () => void {
  const lastDisk = new Map<string, number>();
  const timer = setInterval(() => {
    for (const rec of m.table.visible() as MeteredRecord[]) {
      try {
        if (rec.state === 'running' || rec.state === 'paused') {
          m.meter.sample(rec);
          rec.lastSeenAt = new Date().toISOString();
          m.table.save(rec);
        } else if (rec.state === 'stopped') {
          const bytes = m.meter.diskBytes(rec);
          if (lastDisk.get(rec.key) === bytes) continue;
          m.meter.sample(rec);
          lastDisk.set(rec.key, bytes); // once journaled: a failed sample is tried again next time
        }
      } catch (err) {
        m.log.warn({ err, sandbox: rec.id }, 'could not sample a sandbox');
      }
    }
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Every `everyMs` (5 s by default), each running sandbox's CPU and memory into the in-memory
 * recent history (recent-metrics.ts) that GET /v1/sandboxes/:id/metrics returns with `recent`.
 */
export function startRecentSampler(m: LocalSandboxManager, everyMs = 5000): () => void {
  const timer = setInterval(() => {
    const now = Date.now();
    for (const rec of m.table.visible()) {
      if (rec.state !== 'running') {
        m.recent.pause(rec.key);
        continue;
      }
      try {
        const u = cgroupUsage(cgroupsPathFor(rec.key));
        m.recent.record(rec.key, now, u.cpuSeconds, u.memoryBytes);
      } catch {
        m.recent.pause(rec.key); // stopped between the listing and the read
      }
    }
    // Deleted sandboxes (and pool members, never sampled) leave nothing behind.
    const known = new Set(m.table.visible().map((r) => r.key));
    for (const key of m.recent.keys()) if (!known.has(key)) m.recent.forget(key);
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
