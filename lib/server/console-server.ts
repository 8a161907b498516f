import type http from 'node:http';
import { createWebServer, type TlsFiles } from '@/lib/net/tls';
import { apiGuard } from './api-guard';
import { answerClientError, trackExchange } from './client-error';
import { fastApi } from './fast-api';
import { handleUpgrade, routeHttp } from './routes';

export type RequestHandler = (req: http.IncomingMessage, res: http.ServerResponse) => unknown;

/**
 * The console's HTTP server around Next's request handler (server.ts). Kept here so tests serve
 * the route handlers through exactly the same front door: client address, the routes the
 * console serves itself (preview proxy), the API guard, the hottest API routes (./fast-api.ts),
 * then Next.
 */
export function createConsoleServer(
  handle: RequestHandler,
  opts: { trustProxy: boolean; tls?: TlsFiles | null },
): http.Server {
  const server = createWebServer(opts.tls ?? null, (req, res) => {
    trackExchange(req, res);
    setClientAddress(req, opts.trustProxy);
    if (routeHttp(req, res)) return;
    if (apiGuard(req, res)) return;
    if (fastApi(req, res)) return;
    handle(req, res);
  });
  // Next adds its own upgrade listener for /_next/hmr in dev; ours only claims our paths.
  server.on('upgrade', (req, socket, head) => {
    if (req.url?.startsWith('/_next/')) return;
    setClientAddress(req, opts.trustProxy);
    if (!handleUpgrade(req, socket, head)) socket.destroy();
  });
  server.on('clientError', answerClientError);
  return server;
}

/**
 * The client address that rate limits key on. Unless the operator says a trusted proxy sits in
 * front (WARREN_TRUST_PROXY=1), whatever the client sent in X-Forwarded-For / X-Real-IP is
 * replaced by the socket's own address, so nobody can dodge a per-address limit by lying.
 */
function setClientAddress(req: http.IncomingMessage, trustProxy: boolean) {
  if (trustProxy) return;
  const addr = req.socket.remoteAddress ?? '';
  req.headers['x-forwarded-for'] = addr;
  req.headers['x-real-ip'] = addr;
}
