import { diskBytesOf, type MeteredRecord } from './meter';
import type { LocalSandboxManager } from './local-manager';
import { sandboxPaths } from './paths';

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
          const bytes = diskBytesOf(sandboxPaths(m.cfg.dirs, rec.key).diskImage);
          if (lastDisk.get(rec.key) === bytes) continue;
          lastDisk.set(rec.key, bytes);
          m.meter.sample(rec);
        }
      } catch (err) {
        m.log.warn({ err, sandbox: rec.id }, 'could not sample a sandbox');
      }
    }
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
