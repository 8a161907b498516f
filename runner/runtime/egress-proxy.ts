import dns from 'node:dns/promises';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import type { Logger } from 'pino';

/**
 * Egress by allow-list: the sandbox has no network of its own (loopback only), and its one way
 * out is this HTTP proxy (CONNECT for TLS, absolute-URI requests for plain HTTP), served by the
 * runner on a unix socket that is bind-mounted into the sandbox. Each request's host name must
 * match the list (`example.com` exactly, `*.example.com` for subdomains), and names that resolve
 * to loopback, link-local or unspecified addresses are refused, so the host's own services stay
 * out of reach whatever the list says.
 */
export function hostAllowed(host: string, allow: string[]): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  if (net.isIP(h.replace(/^\[|\]$/g, ''))) return false; // names only: an IP literal is never on the list
  return allow.some((rule) => {
    const r = rule.toLowerCase();
    return r.startsWith('*.') ? h.endsWith(r.slice(1)) && h.length > r.length - 1 : h === r;
  });
}

/**
 * Only public unicast addresses are reachable: never loopback, private (10/8, 172.16/12,
 * 192.168/16), CGNAT (100.64/10), link-local (incl. cloud metadata at 169.254.169.254),
 * multicast, reserved, ULA (fc00::/7), or any address of this host's own interfaces.
 */
const blocked = new net.BlockList();
for (const [addr, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) {
  blocked.addSubnet(addr, prefix, 'ipv4');
}
for (const [addr, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const) {
  blocked.addSubnet(addr, prefix, 'ipv6');
}

function forbiddenAddress(ip: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1];
  const addr = mapped ?? ip;
  const family = net.isIPv4(addr) ? 'ipv4' : 'ipv6';
  if (blocked.check(addr, family)) return true;
  return Object.values(os.networkInterfaces()).some((list) => list?.some((i) => i.address === addr));
}

async function connectChecked(host: string, port: number, allow: string[]): Promise<net.Socket> {
  if (!hostAllowed(host, allow)) throw new Error(`${host} is not on this sandbox's egress allow-list`);
  const addrs = await dns.lookup(host, { all: true });
  const ok = addrs.find((a) => !forbiddenAddress(a.address));
  if (!ok || addrs.some((a) => forbiddenAddress(a.address))) throw new Error(`${host} resolves to a private or host-local address`);
  return await new Promise((resolve, reject) => {
    const s = net.connect({ host: ok.address, port });
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

export async function startEgressProxy(socketPath: string, allow: string[], owner: number, log: Logger): Promise<() => void> {
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
      const upstream = await connectChecked(url.hostname, Number(url.port) || 80, allow);
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
      const upstream = await connectChecked(m[1]!, Number(m[2]), allow);
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client).pipe(upstream);
      upstream.on('error', () => client.destroy());
    } catch (err) {
      log.info({ host: m[1], reason: (err as Error).message }, 'egress refused');
      client.end(`HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\n\r\nWarren egress: ${(err as Error).message}\n`);
    }
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  // Only the sandbox's root can connect (its bridge runs as root inside). The socket's dir is
  // root-owned and bound read-only into the sandbox, so nothing inside can swap this path; lchown
  // all the same (it never follows a link).
  fs.lchownSync(socketPath, owner, owner);
  return () => server.close();
}
