import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Readable } from 'node:stream';
import { matchApiRoute } from '@/lib/api/route-table';
import type { TlsFiles } from '@/lib/net/tls';
import { createConsoleServer } from '@/lib/server/console-server';

/**
 * Stands in for Next's router (a build is not available to the console tests): it serves the
 * real route handler modules under app/api the way Next does — the path normalized as a URL
 * (dot segments resolved, a trailing slash redirected with a 308), parameters percent-decoded into
 * `ctx.params` (a malformed one throws, which Next answers with a 500), a web Request built from
 * the Node request (which throws for TRACE), a signal that aborts when the client goes away,
 * and Next's bare 400/405 for methods a route does not serve. Wrapped in the console's own
 * server (lib/server/console-server.ts), tests reach the handlers through the real front door.
 */
type Handler = (req: Request, ctx: { params: Promise<Record<string, string | string[]>> }) => Promise<Response>;
const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const NEXT_METHODS = ['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'DELETE', 'PATCH'];
const modules = new Map<string, Promise<Record<string, Handler>>>();

const load = (pattern: string) => {
  if (!modules.has(pattern)) modules.set(pattern, import(path.join(ROOT, 'app', pattern, 'route.ts')));
  return modules.get(pattern)!;
};

async function serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const { pathname, search } = new URL(req.url ?? '/', 'http://localhost');
  if (pathname.length > 1 && pathname.endsWith('/')) {
    res.writeHead(308, { location: `${pathname.replace(/\/+$/, '')}${search}` }).end();
    return;
  }
  const route = matchApiRoute(pathname);
  if (!route) {
    res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>404: This page could not be found.</h1>');
    return;
  }
  const params: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(route.params)) {
    params[k] = route.pattern.includes(`[...${k}]`) ? v.split('/').map(decodeURIComponent) : decodeURIComponent(v);
  }
  const aborted = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) aborted.abort();
  });
  const method = req.method ?? 'GET';
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
  const hasBody = method !== 'GET' && method !== 'HEAD';
  const request = new Request(`http://${req.headers.host ?? 'localhost'}${req.url}`, {
    method,
    headers,
    body: hasBody ? (Readable.toWeb(req) as unknown as ReadableStream<Uint8Array>) : undefined,
    signal: aborted.signal,
    duplex: 'half',
  } as RequestInit);
  if (!NEXT_METHODS.includes(method)) {
    res.writeHead(400).end();
    return;
  }
  const mod = await load(route.pattern);
  const handler = mod[method] ?? (method === 'HEAD' ? mod.GET : undefined);
  if (!handler) {
    res.writeHead(method === 'OPTIONS' ? 204 : 405).end();
    return;
  }
  const response = await handler(request, { params: Promise.resolve(params) });
  res.statusCode = response.status;
  response.headers.forEach((v, k) => {
    if (k !== 'set-cookie') res.setHeader(k, v);
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length) res.setHeader('set-cookie', cookies);
  if (!response.body || method === 'HEAD') {
    res.end();
    return;
  }
  const body = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream);
  body.on('error', () => res.destroy());
  body.pipe(res);
}

function nextLike(req: http.IncomingMessage, res: http.ServerResponse): void {
  serve(req, res).catch(() => {
    // What Next does with a throw it does not expect: a plain-text 500.
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
    res.end('Internal Server Error');
  });
}

/** The console's server with the route handlers behind it, on a free loopback port. */
export async function startConsoleApi(
  opts: { tls?: TlsFiles } = {},
): Promise<{ server: http.Server; port: number; base: string; close(): Promise<void> }> {
  const server = createConsoleServer(nextLike, { trustProxy: false, tls: opts.tls });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    port,
    base: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
