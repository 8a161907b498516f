import dns from 'node:dns/promises';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import type { Logger } from 'pino';
import type { EgressSecret } from '../sandbox/types';
import { intercept, normalize } from './egress-intercept';
import { egressTestMode } from './egress-test-mode';
import { knownHostNetworks } from './host-net';
import { CidrSet, type Ip, low32, parseIp, REFUSED_V4 } from './ip-ranges';
import type { SandboxCa } from './sandbox-ca';

/**
 * Egress by allow-list: the sandbox has no network of its own (loopback only), and its one way
 * out is this HTTP proxy (CONNECT for TLS, absolute-URI requests for plain HTTP), served by the
 * runner on a unix socket that is bind-mounted into the sandbox. Each request's host name must
 * match the list (`example.com` exactly, `*.example.com` for subdomains), its port must be open
 * (80 and 443 unless the sandbox's policy lists `ports`), and names that resolve to anything but
 * public unicast addresses are refused, so the host's own services and networks stay out of
 * reach whatever the list says.
 */
export function hostAllowed(host: string, allow: string[] | null): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  // `null`: open egress (a slirp sandbox whose proxy is there for its egress secrets), where
  // anything slirp would reach goes: names and IP literals, judged by address below.
  if (allow === null) return h.length > 0;
  if (net.isIP(h.replace(/^\[|\]$/g, ''))) return false; // names only: an IP literal is never on the list
  return allow.some((rule) => {
    const r = rule.toLowerCase();
    return r.startsWith('*.') ? h.endsWith(r.slice(1)) && h.length > r.length - 1 : h === r;
  });
}

/** Destination ports a sandbox reaches through the proxy unless its policy lists others. */
export const DEFAULT_EGRESS_PORTS = [80, 443];

export const portAllowed = (port: number, ports: number[] | null = DEFAULT_EGRESS_PORTS) =>
  Number.isInteger(port) && port >= 1 && port <= 65535 && (ports === null || ports.includes(port));

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

type Resolved = { address: string; family: number };

/**
 * The addresses a host may be reached at: every one must be public (one refused address among a
 * name's answers refuses the name). A test run may map named hosts to local addresses
 * (egress-test-mode.ts); nothing else skips the check.
 */
export async function resolveChecked(host: string): Promise<Resolved[]> {
  const h = normalize(host.replace(/^\[|\]$/g, ''));
  const pinned = egressTestMode()?.hosts.get(h);
  if (pinned) return [{ address: pinned, family: net.isIP(pinned) }];
  const hostNetworks = knownHostNetworks();
  if (net.isIP(h)) {
    if (forbiddenAddress(h, hostNetworks)) throw new Error(`${h} is a private or host-local address`);
    return [{ address: h, family: net.isIP(h) }];
  }
  const addrs = await dns.lookup(h, { all: true });
  if (!addrs.length || addrs.some((a) => forbiddenAddress(a.address, hostNetworks))) throw new Error(`${h} resolves to a private or host-local address`);
  return addrs;
}

/** `resolveChecked` as a socket `lookup`, so pooled upstream connections are checked too. */
export const checkedLookup: net.LookupFunction = (hostname, options, cb) => {
  resolveChecked(hostname).then(
    (addrs) => (options.all ? (cb as (e: null, a: Resolved[]) => void)(null, addrs) : cb(null, addrs[0]!.address, addrs[0]!.family)),
    (err: Error) => cb(Object.assign(err, { code: 'EACCES' }), '', 0),
  );
};

function checkPolicy(host: string, port: number, allow: string[] | null, ports: number[] | null): void {
  if (!hostAllowed(host, allow)) throw new Error(`${host} is not on this sandbox's egress allow-list`);
  if (!portAllowed(port, ports)) throw new Error(`port ${port} is not open to this sandbox (open: ${ports?.join(', ')})`);
}

async function connectChecked(host: string, port: number, allow: string[] | null, ports: number[] | null): Promise<net.Socket> {
  checkPolicy(host, port, allow, ports);
  const [ok] = await resolveChecked(host);
  return await new Promise((resolve, reject) => {
    const s = net.connect({ host: ok!.address, port, timeout: CONNECT_TIMEOUT_MS });
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
export const MAX_CONNECTIONS = 128;
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

/** Egress-only secrets: the CA that signs intercepted hosts' certificates and the secrets now. */
export type ProxySecrets = { ca: SandboxCa; secrets: () => EgressSecret[] };

/**
 * `allow` null: open egress (any public address, for a slirp sandbox whose proxy is there for its
 * egress secrets); `ports` null: any port. With `withSecrets`, a CONNECT to a host one of the
 * secrets names is intercepted (egress-intercept.ts); every other one is a plain tunnel.
 */
export async function startEgressProxy(
  socketPath: string,
  allow: string[] | null,
  owner: number,
  log: Logger,
  ports: number[] | null = DEFAULT_EGRESS_PORTS,
  withSecrets?: ProxySecrets,
): Promise<() => void> {
  fs.rmSync(socketPath, { force: true });
  const server = createEgressProxy(allow, log, ports, withSecrets);
  server.maxConnections = MAX_CONNECTIONS;
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  // Only the sandbox's root can connect (its bridge runs as root inside). The socket's dir is
  // root-owned and bound read-only into the sandbox, so nothing inside can swap this path; lchown
  // all the same (it never follows a link).
  fs.lchownSync(socketPath, owner, owner);
  return () => server.close();
}

/**
 * The proxy's HTTP server, not listening: startEgressProxy serves it on a unix socket, and the
 * egress relay (egress-relay.ts) hands it the streams a gVisor sandbox's agent opens, with
 * `emit('connection')`. Each connection is judged on its own (allow-list, port, addresses).
 */
export function createEgressProxy(
  allow: string[] | null,
  log: Logger,
  ports: number[] | null = DEFAULT_EGRESS_PORTS,
  withSecrets?: ProxySecrets,
): http.Server {
  const agent = new https.Agent({ keepAlive: true, maxSockets: 32, maxTotalSockets: 64, timeout: TUNNEL_IDLE_MS });
  const testCa = egressTestMode()?.ca;
  const upstreamCa = testCa ? [...tls.rootCertificates, testCa] : undefined;
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
      const host = normalize(m[1]!);
      const port = Number(m[2]);
      // Secrets key on the CONNECT target, after the same allow-list, port and address checks
      // as any tunnel; the handshake and every request inside must then name that same host.
      // Only a plain DNS name is ever intercepted (a certificate is made for it).
      if (/^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/.test(host) && withSecrets?.secrets().some((s) => hostAllowed(host, s.hosts))) {
        checkPolicy(host, port, allow, ports);
        await resolveChecked(host);
        await intercept(client, head, { host, port, ca: withSecrets.ca, secrets: withSecrets.secrets, hostMatches: hostAllowed, lookup: checkedLookup, agent, upstreamCa, log });
        idleOut(client, client);
        return;
      }
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
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = 5 * 60_000;
  server.keepAliveTimeout = 5000;
  server.timeout = TUNNEL_IDLE_MS; // idle plain-HTTP connections
  server.on('close', () => agent.destroy());
  return server;
}
