import net from 'node:net';
import path from 'node:path';
import { createEgressProxy, type ProxySecrets, startEgressProxy } from '../runtime/egress-proxy';
import { startEgressRelay } from '../runtime/egress-relay';
import { SandboxCa } from '../runtime/sandbox-ca';
import type { LocalSandboxManager } from './local-manager';
import { agentSocketOf, SANDBOX_EGRESS_DIR, sandboxPaths } from './paths';
import type { SandboxRecord } from './store';
import { egressViaProxyOnly, proxyAllowList } from './egress-mode';

/**
 * Wires an allow-listed sandbox to the runner's egress proxy: the proxy listens on a socket in
 * the sandbox's root-owned egress dir (bound read-only at /run/warren/egress inside, so the
 * sandbox can connect but never swap the path), and a socat bridge inside the sandbox offers it
 * as http://127.0.0.1:3128, which HTTP(S)_PROXY in the sandbox's environment names. A gVisor
 * sandbox cannot connect to that socket (this runsc refuses it), so its agent offers the same
 * port and relays each connection over a stream the runner opened to it (egress-relay.ts).
 */
export const PROXY_PORT = 3128;
export const proxyEnv = (): Record<string, string> => {
  const url = `http://127.0.0.1:${PROXY_PORT}`;
  return { HTTP_PROXY: url, HTTPS_PROXY: url, http_proxy: url, https_proxy: url, NO_PROXY: 'localhost,127.0.0.1', no_proxy: 'localhost,127.0.0.1' };
};


/**
 * Where every TLS stack in the sandbox finds the bundle with the sandbox CA: the system path, over
 * which boot binds it (the copy in /run/warren/egress is not for the sandbox's users: /run/warren
 * is its root's alone).
 */
export const CA_BUNDLE_PATH = '/etc/ssl/certs/ca-certificates.crt';
export const caEnv = (): Record<string, string> => ({
  SSL_CERT_FILE: CA_BUNDLE_PATH,
  CURL_CA_BUNDLE: CA_BUNDLE_PATH,
  REQUESTS_CA_BUNDLE: CA_BUNDLE_PATH,
  GIT_SSL_CAINFO: CA_BUNDLE_PATH,
  PIP_CERT: CA_BUNDLE_PATH,
  // Node keeps its own roots: the whole bundle as "extra" certificates brings the sandbox CA in.
  NODE_EXTRA_CA_CERTS: CA_BUNDLE_PATH,
});

export class AllowlistEgress {
  private proxies = new Map<string, () => void>();

  constructor(private readonly m: LocalSandboxManager) {}

  /**
   * The proxy serves allow-listed sandboxes (their only way out) and sandboxes with egress-only
   * secrets (with slirp egress too: then it lets through whatever slirp would, and intercepts the
   * secrets' hosts).
   */
  async attach(rec: SandboxRecord): Promise<void> {
    const held = this.m.secrets.get(rec.key);
    const withSecrets = held?.ca && held.egress.length ? held : null;
    if ((!egressViaProxyOnly(rec) && !withSecrets) || this.proxies.has(rec.key)) return;
    const socket = sandboxPaths(this.m.cfg.dirs, rec.key).egressSocket;
    let secrets: ProxySecrets | undefined;
    if (withSecrets?.ca) {
      // Read at each CONNECT and request: a rotated or deleted secret applies at once.
      secrets = { ca: await SandboxCa.load(withSecrets.ca), secrets: () => this.m.secrets.get(rec.key)?.egress ?? [] };
    }
    // An allow-list opens 80 and 443 unless it lists ports; open egress (slirp's, or a gVisor
    // sandbox's through the proxy alone) any port, and the address rules hold either way.
    const allow = proxyAllowList(rec);
    const ports = allow ? (rec.network.ports ?? undefined) : (rec.network.ports ?? null);
    const log = this.m.log.child({ sandbox: rec.id });
    if (rec.isolation === 'gvisor') {
      const server = createEgressProxy(allow, log, ports, secrets);
      const agentSocket = agentSocketOf(sandboxPaths(this.m.cfg.dirs, rec.key), rec.isolation);
      const stop = startEgressRelay(() => net.createConnection(agentSocket), PROXY_PORT, server, log);
      this.proxies.set(rec.key, () => {
        stop();
        server.emit('close'); // it never listened: 'close' is what frees its upstream agent
      });
      return;
    }
    this.proxies.set(rec.key, await startEgressProxy(socket, allow, rec.uidBase, log, ports, secrets));
    const agent = this.m.agent(rec.id);
    const inside = path.posix.join(SANDBOX_EGRESS_DIR, path.basename(socket));
    const bridge = ['socat', `TCP-LISTEN:${PROXY_PORT},bind=127.0.0.1,reuseaddr,fork`, `UNIX-CONNECT:${inside}`];
    const asRoot = { uid: 0, gid: 0, env: { PATH: '/usr/bin:/bin' } };
    // The sandbox's own /proc/net/tcp: 127.0.0.1:3128 in LISTEN (0A).
    const listening = async () => (await agent.exec({ argv: ['grep', '-q', `0100007F:${PROXY_PORT.toString(16).toUpperCase().padStart(4, '0')} 00000000:0000 0A`, '/proc/net/tcp'], ...asRoot })).exitCode === 0;
    const running = await agent.exec({ argv: ['pgrep', '-f', `TCP-LISTEN:${PROXY_PORT}`], ...asRoot });
    if (running.exitCode !== 0) {
      const proc = await agent.spawn({ argv: bridge, ...asRoot, detach: true, ringBytes: 4096 });
      proc.detach();
    }
    // Started is not listening yet: a command run right after the create (HTTPS_PROXY points
    // here) was refused on a loaded host. Wait for the bind, a few ms normally.
    for (const until = Date.now() + 5_000; Date.now() < until; await new Promise((r) => setTimeout(r, 10))) {
      if (await listening()) return;
    }
    log.warn({ port: PROXY_PORT }, 'egress bridge not listening after 5 s');
  }

  detach(rec: SandboxRecord): void {
    this.proxies.get(rec.key)?.();
    this.proxies.delete(rec.key);
  }

  closeAll(): void {
    for (const close of this.proxies.values()) close();
    this.proxies.clear();
  }
}
