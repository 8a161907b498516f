import type { SandboxRecord } from './store';

/**
 * Whether the runner's egress proxy is a sandbox's only way out (no slirp network): with an
 * allow-list, and for every gVisor sandbox with egress, since netfilter in a netns cannot filter
 * gVisor's traffic (README: Isolation levels). Kept apart from allowlist-egress.ts so lifecycle
 * code can ask without importing the proxy.
 */
export const egressViaProxyOnly = (rec: Pick<SandboxRecord, 'network' | 'isolation'>) =>
  rec.network.mode === 'egress' && (Boolean(rec.network.allow?.length) || rec.isolation === 'gvisor');

/** The proxy's host allow-list: null (any public host) for open egress. */
export const proxyAllowList = (rec: Pick<SandboxRecord, 'network'>) => (rec.network.allow?.length ? rec.network.allow : null);
