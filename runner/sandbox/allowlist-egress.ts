import path from 'node:path';
import { startEgressProxy } from '../runtime/egress-proxy';
import type { LocalSandboxManager } from './local-manager';
import { SANDBOX_EGRESS_DIR, sandboxPaths } from './paths';
import type { SandboxRecord } from './store';

/**
 * Wires an allow-listed sandbox to the runner's egress proxy: the proxy listens on a socket in
 * the sandbox's root-owned egress dir (bound read-only at /run/warren/egress inside, so the
 * sandbox can connect but never swap the path), and a socat bridge inside the sandbox offers it
 * as http://127.0.0.1:3128, which HTTP(S)_PROXY in the sandbox's environment names.
 */
export const PROXY_PORT = 3128;
export const proxyEnv = (): Record<string, string> => {
  const url = `http://127.0.0.1:${PROXY_PORT}`;
  return { HTTP_PROXY: url, HTTPS_PROXY: url, http_proxy: url, https_proxy: url, NO_PROXY: 'localhost,127.0.0.1', no_proxy: 'localhost,127.0.0.1' };
};

export const usesAllowlist = (rec: SandboxRecord) => rec.network.mode === 'egress' && Boolean(rec.network.allow?.length);

export class AllowlistEgress {
  private proxies = new Map<string, () => void>();

  constructor(private readonly m: LocalSandboxManager) {}

  async attach(rec: SandboxRecord): Promise<void> {
    if (!usesAllowlist(rec) || this.proxies.has(rec.key)) return;
    const socket = sandboxPaths(this.m.cfg.dirs, rec.key).egressSocket;
    this.proxies.set(rec.key, await startEgressProxy(socket, rec.network.allow!, rec.uidBase, this.m.log.child({ sandbox: rec.id }), rec.network.ports));
    const agent = this.m.agent(rec.id);
    const inside = path.posix.join(SANDBOX_EGRESS_DIR, path.basename(socket));
    const bridge = ['socat', `TCP-LISTEN:${PROXY_PORT},bind=127.0.0.1,reuseaddr,fork`, `UNIX-CONNECT:${inside}`];
    const running = await agent.exec({ argv: ['pgrep', '-f', `TCP-LISTEN:${PROXY_PORT}`], uid: 0, gid: 0, env: { PATH: '/usr/bin:/bin' } });
    if (running.exitCode !== 0) {
      const proc = await agent.spawn({ argv: bridge, uid: 0, gid: 0, env: { PATH: '/usr/bin:/bin' }, detach: true, ringBytes: 4096 });
      proc.detach();
    }
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
