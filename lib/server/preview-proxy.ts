import http from 'node:http';
import type { Duplex } from 'node:stream';
import { parseCookies } from '@/lib/auth/session-cookie';
import { env } from '@/lib/env';
import { logger } from '@/lib/logger';
import { PREVIEW_COOKIE, PREVIEW_TOKEN_PARAM, parsePreviewHost, type PreviewTarget, previewTokenAllows } from '@/lib/previews/preview-access';
import { runnerClient } from '@/lib/runners/registry';
import { findPreviewTarget } from '@/lib/sandboxes/ports';
import { sendPreviewPage } from './preview-pages';
import { refuseUpgrade, spliceUpgrade } from './upgrade-splice';

/**
 * The preview proxy: requests whose Host is `{port}-{sandboxId}.{WARREN_PREVIEW_DOMAIN}` are
 * forwarded (HTTP and WebSocket) to that port inside the sandbox through its runner. Public
 * ports are open to anyone with the URL; private ones need a port-scoped token, obtained by a
 * signed-in member through the console (/api/previews/authorize) and kept in a host-only cookie.
 */
const log = logger.child({ component: 'preview-proxy' });

type Decision = { ok: true; runnerId: string } | { ok: false; respond: (res: http.ServerResponse) => void; status: number };

/** Only plain origin-form paths are forwarded: no dot segments, no encoded separators. */
function safePath(raw: string | undefined): boolean {
  const pathPart = (raw ?? '/').split('?')[0]!;
  if (!pathPart.startsWith('/') || /%2e|%2f|%5c/i.test(pathPart) || pathPart.includes('\\')) return false;
  return new URL(pathPart, 'http://preview').pathname === pathPart;
}

export function previewHttp(req: http.IncomingMessage, res: http.ServerResponse): boolean {
  const target = parsePreviewHost(req.headers.host);
  if (!target) return false;
  if (!safePath(req.url)) {
    sendPreviewPage(res, 400, 'Bad request', 'Preview paths may not contain dot segments or encoded slashes.');
    return true;
  }
  void handleHttp(req, res, target).catch((err) => {
    log.error({ err }, 'preview request failed');
    if (!res.headersSent) sendPreviewPage(res, 502, 'Preview unavailable', 'The sandbox could not be reached. Try again in a moment.');
    else res.destroy();
  });
  return true;
}

export function previewUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): boolean {
  const target = parsePreviewHost(req.headers.host);
  if (!target) return false;
  if (!safePath(req.url)) {
    socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    return true;
  }
  void handleUpgrade(req, socket, head, target).catch(() => socket.destroy());
  return true;
}

const FRAME_COOKIE = `${PREVIEW_COOKIE}_frame`;

async function decide(req: http.IncomingMessage, t: PreviewTarget): Promise<Decision> {
  const row = await findPreviewTarget(t.sandboxId, t.port);
  const page = (status: number, title: string, detail: string): Decision => ({ ok: false, status, respond: (res) => sendPreviewPage(res, status, title, detail) });
  if (!row) return page(404, `Port ${t.port} is not exposed`, 'Expose the port from the sandbox page (Ports tab) or the API first; deleted sandboxes have no previews.');
  const jar = parseCookies(req.headers.cookie);
  if (!row.public && !previewTokenAllows(jar.get(PREVIEW_COOKIE), t) && !previewTokenAllows(jar.get(FRAME_COOKIE), t)) {
    const here = `http://${req.headers.host}${req.url ?? '/'}`;
    const authorize = `${env().publicUrl}/api/previews/authorize?sandbox=${t.sandboxId}&port=${t.port}&next=${encodeURIComponent(here)}`;
    return { ok: false, status: 302, respond: (res) => res.writeHead(302, { location: authorize, 'cache-control': 'no-store' }).end() };
  }
  if (row.state !== 'running') {
    const what = row.state === 'paused' ? 'Resume' : 'Start';
    return page(503, `This sandbox is ${row.state}`, `${what} it from the console to see this preview again.`);
  }
  return { ok: true, runnerId: row.runnerId };
}

async function handleHttp(req: http.IncomingMessage, res: http.ServerResponse, t: PreviewTarget) {
  const url = new URL(req.url ?? '/', 'http://preview');
  const given = url.searchParams.get(PREVIEW_TOKEN_PARAM);
  if (given) {
    // Arriving from the console's authorize step: keep the token in a cookie for this host only.
    if (!previewTokenAllows(given, t)) return sendPreviewPage(res, 403, 'Link expired', 'Open the preview again from the console.');
    url.searchParams.delete(PREVIEW_TOKEN_PARAM);
    res.writeHead(302, {
      location: `${url.pathname}${url.search}`,
      // The Lax cookie serves tabs everywhere; the None one lets the console's in-page preview
      // frame (a cross-site iframe) work where browsers allow Secure cookies (https, *.localhost).
      'set-cookie': [
        `${PREVIEW_COOKIE}=${given}; Path=/; HttpOnly; SameSite=Lax; Max-Age=43200`,
        `${FRAME_COOKIE}=${given}; Path=/; HttpOnly; SameSite=None; Secure; Partitioned; Max-Age=43200`,
      ],
      'cache-control': 'no-store',
    });
    return res.end();
  }
  const d = await decide(req, t);
  if (!d.ok) return d.respond(res);
  const client = await runnerClient(d.runnerId);
  const upstream = http.request(client.proxyRequestOptions(t.sandboxId, t.port, req.url ?? '/', req.method ?? 'GET', forwardHeaders(req)));
  upstream.on('response', (up) => {
    if (up.statusCode === 502 && up.headers['content-type']?.includes('application/json')) {
      up.resume();
      return sendPreviewPage(res, 502, `Nothing answers on port ${t.port}`, 'Start a server inside the sandbox that listens on this port (on 0.0.0.0 or 127.0.0.1).');
    }
    res.writeHead(up.statusCode ?? 502, up.rawHeaders);
    up.pipe(res);
  });
  upstream.on('error', () => {
    if (!res.headersSent) sendPreviewPage(res, 502, 'Preview unavailable', 'The sandbox runner could not be reached.');
    else res.destroy();
  });
  // A visitor who leaves cancels the proxied request. There is no deadline here on purpose: the
  // answer is the sandbox app's, and long polls or slow builds are its business.
  res.on('close', () => {
    if (!res.writableFinished) upstream.destroy();
  });
  req.pipe(upstream);
}

async function handleUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer, t: PreviewTarget) {
  const d = await decide(req, t);
  if (!d.ok) return refuseUpgrade(socket, d.status);
  const client = await runnerClient(d.runnerId);
  spliceUpgrade(
    http.request(client.proxyRequestOptions(t.sandboxId, t.port, req.url ?? '/', req.method ?? 'GET', forwardHeaders(req))),
    socket,
    head,
  );
}

/** The sandbox sees the browser's request, minus Warren's own access cookie. */
function forwardHeaders(req: http.IncomingMessage): http.OutgoingHttpHeaders {
  const headers: http.OutgoingHttpHeaders = { ...req.headers };
  const cookies = [...parseCookies(req.headers.cookie)].filter(([k]) => k !== PREVIEW_COOKIE && k !== FRAME_COOKIE);
  if (cookies.length) headers.cookie = cookies.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('; ');
  else delete headers.cookie;
  headers['x-forwarded-host'] = req.headers.host;
  // What the browser used: TLS terminated here, else what a trusted proxy in front says it got.
  headers['x-forwarded-proto'] = forwardedProto(req);
  return headers;
}

/**
 * `https` when this process terminated TLS, or when a trusted reverse proxy in front
 * (WARREN_TRUST_PROXY=1) says the browser used it; apps in the sandbox build absolute URLs and
 * secure cookies from it. An untrusted client's own header is never passed on.
 */
export function forwardedProto(req: http.IncomingMessage, trustProxy = env().WARREN_TRUST_PROXY === '1'): 'http' | 'https' {
  if ((req.socket as { encrypted?: boolean }).encrypted) return 'https';
  const claimed = String(req.headers['x-forwarded-proto'] ?? '').split(',')[0].trim();
  return trustProxy && claimed === 'https' ? 'https' : 'http';
}
