import type http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import tls from 'node:tls';
import zlib from 'node:zlib';
import type { Logger } from 'pino';
import type { EgressSecret } from '../sandbox/types';
import type { SandboxCa } from './sandbox-ca';
import { type Replacement, ScrubStream, scrubText } from './secret-scrub';

/**
 * The intercepting half of the egress proxy, for CONNECTs to a host that one of the sandbox's
 * egress-only secrets names (the caller has already applied the sandbox's allow-list, port and
 * address rules to that CONNECT target). The proxy answers the TLS handshake itself with a leaf
 * certificate for the target, signed by the sandbox's own CA; refuses a handshake whose SNI names
 * anything else, and HTTP/2 (ALPN offers http/1.1 only, so clients fall back); parses each
 * HTTP/1.1 request (Node's strict parser), refuses any whose Host is not the target, upgrades,
 * and absolute-form targets; puts each secret's value in place of its placeholder in the
 * request's header values — only for secrets that list this target, which is the CONNECT target
 * and nothing the sandbox says later — and sends it on over a new TLS connection to the real
 * host, verified against the system roots with SNI = the target, asking for an uncompressed
 * answer. Every value of the sandbox's egress secrets is replaced back by its placeholder in the
 * answer's headers and body (streaming, across chunk boundaries), so an upstream that echoes
 * requests cannot hand a value back. Nothing here logs a header or a value.
 */
export type InterceptTarget = {
  host: string;
  port: number;
  ca: SandboxCa;
  /** The sandbox's egress secrets as they are now (a rotation applies to the next request). */
  secrets: () => EgressSecret[];
  hostMatches: (host: string, hosts: string[]) => boolean;
  lookup: net.LookupFunction;
  agent: https.Agent;
  upstreamCa?: string[];
  log: Logger;
};

// Dropped from requests: hop-by-hop headers, what the proxy sets itself, and ranges — an echoing
// upstream asked for a byte range of its answer could return a value cut where the scrub cannot
// recognise it (the head in one answer, the tail in another).
const HOP_BY_HOP = new Set([
  'connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer',
  'transfer-encoding', 'upgrade', 'content-length', 'accept-encoding', 'host', 'range', 'if-range',
]);
const RESPONSE_DROPPED = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-connection', 'trailer', 'transfer-encoding', 'upgrade', 'content-length']);
const IDLE_MS = 10 * 60_000;

export async function intercept(client: net.Socket, head: Buffer, t: InterceptTarget): Promise<void> {
  const leaf = await t.ca.leafFor(t.host);
  const ctx = tls.createSecureContext({ key: leaf.key, cert: leaf.cert });
  const server = https.createServer(
    {
      key: leaf.key,
      cert: leaf.cert,
      minVersion: 'TLSv1.2',
      ALPNProtocols: ['http/1.1'],
      // The name in the handshake must be the CONNECT target: a certificate for anything else is
      // never issued, and the secrets that apply are the target's whatever the client says.
      SNICallback: (name, cb) => (normalize(name) === t.host ? cb(null, ctx) : cb(new Error('SNI is not the CONNECT target'))),
    },
    (req, res) => void forward(req, res, t).catch(() => res.destroy()),
  );
  server.headersTimeout = 10_000;
  server.requestTimeout = 5 * 60_000;
  server.keepAliveTimeout = 5000;
  server.timeout = IDLE_MS;
  const refuse = (_req: http.IncomingMessage, sock: net.Socket) =>
    sock.end('HTTP/1.1 501 Not Implemented\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\nWarren egress: no upgrades or CONNECT to a host with egress secrets\n');
  server.on('upgrade', refuse);
  server.on('connect', refuse);
  server.on('tlsClientError', () => client.destroy());
  client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
  if (head.length) client.unshift(head);
  server.emit('connection', client);
}

export const normalize = (host: string) => host.toLowerCase().replace(/\.$/, '');

/** Host header = the CONNECT target (its port may be left out when it is 443). */
export function hostHeaderMatches(value: string | undefined, host: string, port: number): boolean {
  const m = /^([^:[\]\s]+)(?::(\d{1,5}))?$/.exec((value ?? '').trim());
  if (!m) return false;
  return normalize(m[1]!) === host && (m[2] === undefined ? 443 : Number(m[2])) === port;
}

/** Substitutes placeholders in one header value; a Basic credential is decoded first (git, pip). */
export function substitute(name: string, value: string, secrets: EgressSecret[], reps: Replacement[]): string {
  const swap = (s: string) => secrets.reduce((v, sec) => (v.includes(sec.placeholder) ? v.split(sec.placeholder).join(sec.value) : v), s);
  let v = swap(value);
  const basic = name === 'authorization' ? /^(basic)\s+([A-Za-z0-9+/]+={0,2})\s*$/i.exec(v) : null;
  if (basic) {
    const decoded = Buffer.from(basic[2]!, 'base64').toString('latin1');
    const swapped = swap(decoded);
    if (swapped !== decoded) {
      const token = Buffer.from(swapped, 'latin1').toString('base64');
      reps.push({ from: Buffer.from(token), to: Buffer.from(basic[2]!) });
      v = `${basic[1]} ${token}`;
    }
  }
  return v;
}

async function forward(req: http.IncomingMessage, res: http.ServerResponse, t: InterceptTarget): Promise<void> {
  const reject = (status: number, msg: string) => {
    req.resume();
    if (!res.headersSent) res.writeHead(status, { 'content-type': 'text/plain', connection: 'close' }).end(`Warren egress: ${msg}\n`);
    else res.destroy();
  };
  if (!req.url?.startsWith('/')) return reject(400, 'requests in a tunnel name a path, not a URL');
  if (!hostHeaderMatches(req.headers.host, t.host, t.port)) return reject(421, `the Host header must be ${t.host}`);

  const all = t.secrets();
  const mine = all.filter((s) => t.hostMatches(t.host, s.hosts));
  // Every value of the sandbox goes back to its placeholder in the answer, this host's or not.
  const reps: Replacement[] = all.map((s) => ({ from: Buffer.from(s.value), to: Buffer.from(s.placeholder) }));
  const headers: Record<string, string | string[]> = {};
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (HOP_BY_HOP.has(name)) continue;
    const value = substitute(name, raw[i + 1]!, mine, reps);
    const prev = headers[name];
    headers[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  headers.host = t.port === 443 ? t.host : `${t.host}:${t.port}`;
  headers['accept-encoding'] = 'identity'; // the answer must be readable to be scrubbed
  if (req.headers['content-length'] !== undefined) headers['content-length'] = req.headers['content-length'];

  const up = https.request({
    host: t.host,
    port: t.port,
    servername: t.host,
    method: req.method,
    path: req.url,
    headers,
    agent: t.agent,
    lookup: t.lookup,
    ca: t.upstreamCa,
    rejectUnauthorized: true,
    timeout: 60_000,
  });
  up.on('timeout', () => up.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
  up.on('error', (err) => {
    t.log.info({ host: t.host, code: (err as NodeJS.ErrnoException).code ?? 'error' }, 'egress upstream failed');
    reject(502, `could not reach ${t.host} (${(err as NodeJS.ErrnoException).code ?? 'connection failed'})`);
  });
  res.on('close', () => {
    if (!res.writableFinished) up.destroy();
  });
  up.on('response', (answer) => {
    const enc = String(answer.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
    const decoder =
      enc === 'identity' || enc === ''
        ? null
        : enc === 'gzip' || enc === 'x-gzip'
          ? zlib.createGunzip()
          : enc === 'deflate'
            ? zlib.createInflate()
            : enc === 'br'
              ? zlib.createBrotliDecompress()
              : undefined;
    if (decoder === undefined) {
      answer.destroy();
      return reject(502, `${t.host} sent a ${enc}-encoded answer, which cannot be checked for secrets`);
    }
    const out: string[] = [];
    const rh = answer.rawHeaders;
    for (let i = 0; i + 1 < rh.length; i += 2) {
      const name = rh[i]!.toLowerCase();
      if (RESPONSE_DROPPED.has(name) || (decoder && name === 'content-encoding')) continue;
      out.push(rh[i]!, scrubText(rh[i + 1]!, reps));
    }
    res.writeHead(answer.statusCode ?? 502, out);
    const body = decoder ? answer.pipe(decoder) : answer;
    body.on('error', () => res.destroy());
    body.pipe(new ScrubStream(reps)).pipe(res);
  });
  req.pipe(up);
}
