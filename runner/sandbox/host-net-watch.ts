import { processUid } from '../runtime/proc';
import { readHostNetworks } from '../runtime/host-net';
import { applyEgressFirewall, stopEgress } from '../runtime/network';
import { egressViaProxyOnly } from './egress-mode';
import type { LocalSandboxManager } from './local-manager';
import { sandboxPaths } from './paths';
import type { SandboxRecord } from './store';

/**
 * The host's networks change (DHCP, a new interface, a VPN): every so often the runner reads
 * them again and, when they differ from what the firewalls were built from, re-applies the
 * egress rules of every slirp sandbox. The first pass runs at start-up, so sandboxes adopted
 * after a restart get rules built from the host as it is now. A sandbox whose rules cannot be
 * replaced loses its egress (fail closed); a failed read leaves the rules as they were and is
 * retried on the next pass. The allow-list proxy reads the same networks on every connection.
 */
export function startHostNetWatch(m: LocalSandboxManager, everyMs: number): () => void {
  let applied = '';
  let busy = false;
  const pass = async () => {
    if (busy) return;
    busy = true;
    try {
      const host = await readHostNetworks();
      if (host.fingerprint === applied) return;
      if (applied) m.log.info({ networks: host.fingerprint }, "the host's networks changed; re-applying egress rules");
      // Every slirp sandbox, also one being created or started right now: its lock is held
      // until its egress is up, and the rules it got may predate this read.
      for (const rec of m.table.all()) {
        if (rec.network.mode !== 'egress' || egressViaProxyOnly(rec)) continue;
        await m.lock.run(rec.key, async () => {
          const pid = m.initPid.get(rec.key);
          if (!hasSlirp(rec) || !pid || processUid(pid) !== rec.uidBase) return;
          try {
            await applyEgressFirewall(pid, host);
          } catch (err) {
            m.log.error({ err, sandbox: rec.id }, 'could not re-apply the egress rules; egress stopped');
            stopEgress(sandboxPaths(m.cfg.dirs, rec.key).slirpApi);
            rec.slirpPid = null;
            m.table.save(rec);
          }
        });
      }
      applied = host.fingerprint;
    } catch (err) {
      m.log.warn({ err }, "could not read the host's networks; egress rules unchanged");
    } finally {
      busy = false;
    }
  };
  void pass();
  const timer = setInterval(pass, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

const hasSlirp = (rec: SandboxRecord) =>
  (rec.state === 'running' || rec.state === 'paused') && rec.network.mode === 'egress' && !egressViaProxyOnly(rec) && Boolean(rec.slirpPid);

