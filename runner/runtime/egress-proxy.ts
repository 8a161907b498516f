import dns from 'node:dns/promises';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import type { Logger } from 'pino';
import { knownHostNetworks } from './host-net';
import { CidrSet, type Ip, low32, parseIp, REFUSED_V4 } from './ip-ranges';

/**
 * Egress by allow-list: the sandbox has no network of its own (loopback only), and its one way
 * out is this HTTP proxy (CONNECT for TLS, absolute-URI requests for plain HTTP), served by the
 * runner on a unix socket that is bind-mounted into the sandbox. Each request's host name must
 * match the list (`example.com` exactly, `*.example.com` for subdomains), its port must be open
 * (80 and 443 unless the sandbox's policy lists `ports`), and names that resolve to anything but
 * public unicast addresses are refused, so the host's own services and networks stay out of
 * reach whatever the list says.
 */
export function hostAllowed(host: string, allow: string[]): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  if (net.isIP(h.replace(/^\[|\]$/g, ''))) return false; // names only: an IP literal is never on the list
  return allow.some((rule) => {
    const r = rule.toLowerCase();
    return r.startsWith('*.') ? h.endsWith(r.slice(1)) && h.length > r.length - 1 : h === r;
  });
}

/** Destination ports a sandbox reaches through the proxy unless its policy lists others. */
export const DEFAULT_EGRESS_PORTS = [80, 443];

export const portAllowed = (port: number, ports: number[] = DEFAULT_EGRESS_PORTS) => Number.isInteger(port) && ports.includes(port);

/**
 * Only public unicast addresses are reachable: never the IPv4 ranges of REFUSED_V4 (loopback,
 * private, CGNAT, link-local incl. cloud metadata, multicast, reserved), never IPv6 outside
 * global unicast 2000::/3 (unspecified, loopback, IPv4-compatible ::/96, IPv4-mapped and
 * -translated ::ffff:…, local-use NAT64 64:ff9b:1::/48, discard 100::/64, ULA, link- and
 * site-local, multicast, SRv6 5f00::/16), never the special blocks inside it below, never the
 * host's own networks (its addresses, attached subnets and gateways, in either family). A NAT64
 * address (64:ff9b::/96) is judged by the IPv4 address it carries.
 */
const REFUSED_V4_SET = new CidrSet(REFUSED_V4);
const GLOBAL_UNICAST_V6 = new CidrSet(['2000::/3']);
const NAT64 = new CidrSet(['64:ff9b::/96']);
const REFUSED_V6_SET = new CidrSet([
  '2001::/23', // IETF protocol assignments: Teredo (2001::/32), benchmarking (2001:2::/48), ORCHID…
  '2001:db8::/32', // documentation
  '2002::/16', // 6to4: a tunnel to whatever IPv4 address it embeds
  '3fff::/20', // documentation
]);

export function forbiddenAddress(ip: string, hostNetworks: string[] = knownHostNetworks()): boolean {
  const addr = parseIp(ip);
  if (!addr) return true;
  const host = new CidrSet(hostNetworks);
  const forbidden = (a: Ip): boolean => {
    if (host.has(a)) return true;
    if (a.family === 4) return REFUSED_V4_SET.has(a);
    if (NAT64.has(a)) return forbidden(low32(a));
    return !GLOBAL_UNICAST_V6.has(a) || REFUSED_V6_SET.has(a);
  };
  return forbidden(addr);
}

async function connectChecked(host: string, port: number, allow: string[], ports: number[]): Promise<net.Socket> {
  if (!hostAllowed(host, allow)) throw new Error(`${host} is not on this sandbox's egress allow-list`);
  if (!portAllowed(port, ports)) throw new Error(`port ${port} is not open to this sandbox (open: ${ports.join(', ')})`);
  const addrs = await dns.lookup(host, { all: true });
  const hostNetworks = knownHostNetworks();
  const ok = addrs.find((a) => !forbiddenAddress(a.address, hostNetworks));
  if (!ok || addrs.some((a) => forbiddenAddress(a.address, hostNetworks))) throw new Error(`${host} resolves to a private or host-local address`);
  return await new Promise((resolve, reject) => {
    const s = net.connect({ host: ok.address, port, timeout: CONNECT_TIMEOUT_MS });
    s.once('connect', () => {
      s.setTimeout(0);
      resolve(s);
    });
    s.once('timeout', () => s.destroy(new Error(`${host}:${port} did not answer within ${CONNECT_TIMEOUT_MS / 1000} s`)));
    s.once('error', reject);
  });
}

/**
 * The proxy lives in the runner and serves one sandbox, whose root may open connections to it
 * as fast as it likes: each sandbox gets a bounded number of connections, and requests, headers,
 * upstream connects and idle tunnels all time out, so no sandbox can run the shared runner out
 * of file descriptors or memory.
 */
const MAX_CONNECTIONS = 128;
const CONNECT_TIMEOUT_MS = 10_000;
const HEADERS_TIMEOUT_MS = 10_000;
const TUNNEL_IDLE_MS = 10 * 60_000;

function idleOut(a: net.Socket, b: net.Socket): void {
  for (const s of [a, b]) {
    s.setTimeout(TUNNEL_IDLE_MS, () => {
      a.destroy();
      b.destroy();
    });
  }
}

export async function startEgressProxy(socketPath: string, allow: string[], owner: number, log: Logger, ports = DEFAULT_EGRESS_PORTS): Promise<() => void> {
  fs.rmSync(socketPath, { force: true });
  const deny = (res: http.ServerResponse, msg: string) => res.writeHead(403, { 'content-type': 'text/plain' }).end(`Warren egress: ${msg}\n`);
  const server = http.createServer(async (req, res) => {
    // Plain HTTP through a proxy: the request line carries the absolute URL.
    let url: URL;
    try {
      url = new URL(req.url ?? '');
    } catch {
      return deny(res, 'only proxy requests (absolute URLs) are accepted');
    }
    try {
      if (url.protocol !== 'http:') throw new Error('only http:// URLs go through as requests; https uses CONNECT');
      const upstream = await connectChecked(url.hostname, Number(url.port) || 80, allow, ports);
      const fwd = http.request({ createConnection: () => upstream, method: req.method, path: `${url.pathname}${url.search}`, headers: req.headers });
      fwd.on('response', (up) => {
        res.writeHead(up.statusCode ?? 502, up.rawHeaders);
        up.pipe(res);
      });
      fwd.on('error', () => res.destroy());
      req.pipe(fwd);
    } catch (err) {
      deny(res, (err as Error).message);
    }
  });
  server.on('connect', async (req, client: net.Socket, head) => {
    const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(req.url ?? '');
    client.on('error', () => {});
    if (!m) return client.end('HTTP/1.1 400 Bad Request\r\n\r\n');
    try {
      const upstream = await connectChecked(m[1]!, Number(m[2]), allow, ports);
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client).pipe(upstream);
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
      idleOut(client, upstream);
    } catch (err) {
      log.info({ host: m[1], reason: (err as Error).message }, 'egress refused');
      client.end(`HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\n\r\nWarren egress: ${(err as Error).message}\n`);
    }
  });
  server.maxConnections = MAX_CONNECTIONS;
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = 5 * 60_000;
  server.keepAliveTimeout = 5000;
  server.timeout = TUNNEL_IDLE_MS; // idle plain-HTTP connections
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  // Only the sandbox's root can connect (its bridge runs as root inside). The socket's dir is
  // root-owned and bound read-only into the sandbox, so nothing inside can swap this path; lchown
  // all the same (it never follows a link).
  fs.lchownSync(socketPath, owner, owner);
  return () => server.close();
}
