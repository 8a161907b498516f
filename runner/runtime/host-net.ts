import os from 'node:os';
import { run } from './exec-file';
import { normalizeCidr } from './ip-ranges';

/**
 * The host's own networks, which no sandbox may reach whatever their range: every address of
 * the host, every network it is attached to (interface prefixes, on-link routes: the LAN, a
 * VPN, a container bridge), every network it routes somewhere other than by its default route
 * (whatever sits behind another gateway is the host's surroundings, not the internet), and every
 * gateway its routes name (the default gateway too, also when it lies outside every local
 * prefix, as with an `onlink` route). Read from the interfaces and `ip -j route show table all`
 * for both families; the fingerprint tells a watcher when something changed (DHCP, a new
 * interface, a VPN coming up).
 */
export type HostNetworks = { v4: string[]; v6: string[]; fingerprint: string };

type Route = {
  type?: string;
  dst?: string;
  gateway?: string;
  via?: { family?: string; host?: string };
  nexthops?: Array<{ gateway?: string; via?: { host?: string } }>;
};

/** Route types that carry traffic somewhere (blackhole, unreachable, prohibit… do not). */
const DELIVERING = new Set(['unicast', 'local', 'broadcast', 'anycast', 'multicast']);

export function hostNetworksFrom(interfaces: NodeJS.Dict<os.NetworkInterfaceInfo[]>, routes: Route[]): HostNetworks {
  const found = new Set<string>();
  const add = (text: string | undefined) => {
    const c = text && normalizeCidr(text);
    if (!c) return;
    // Wider than /8 (/32 for IPv6) is a VPN's catch-all route (0.0.0.0/1 dev wg0), not a network.
    if (Number(c.split('/')[1]) < (c.includes(':') ? 32 : 8)) return;
    found.add(c);
  };
  for (const info of Object.values(interfaces).flat()) {
    if (!info) continue;
    add(info.address.replace(/%.*$/, ''));
    add(info.cidr ?? undefined);
  }
  for (const r of routes) {
    const gateways = [r.gateway, r.via?.host, ...(r.nexthops ?? []).flatMap((n) => [n.gateway, n.via?.host])].filter(Boolean);
    for (const g of gateways) add(g);
    if (r.dst && r.dst !== 'default' && DELIVERING.has(r.type ?? 'unicast')) add(r.dst);
  }
  const sorted = [...found].sort();
  const v4 = sorted.filter((c) => !c.includes(':'));
  const v6 = sorted.filter((c) => c.includes(':'));
  return { v4, v6, fingerprint: sorted.join(' ') };
}

let latest: HostNetworks | undefined;

/** Reads them now; fails (and so keeps egress closed) when the routes cannot be read. */
export async function readHostNetworks(): Promise<HostNetworks> {
  const [v4, v6] = await Promise.all(
    ['-4', '-6'].map(async (family) => JSON.parse((await run('ip', ['-j', family, 'route', 'show', 'table', 'all'])) || '[]') as Route[]),
  );
  latest = hostNetworksFrom(os.networkInterfaces(), [...v4!, ...v6!]);
  return latest;
}

/**
 * The last networks read, joined with the interfaces as they are this instant (cheap and
 * synchronous, so an address that appeared since the last read is already covered).
 */
export function knownHostNetworks(): string[] {
  const now = hostNetworksFrom(os.networkInterfaces(), []);
  return [...new Set([...(latest?.v4 ?? []), ...(latest?.v6 ?? []), ...now.v4, ...now.v6])];
}
