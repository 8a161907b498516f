import type http from 'node:http';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { errorResponse } from '@/lib/api/handler';
import { AppError } from '@/lib/errors';
import * as sandboxRoute from '@/app/api/v1/sandboxes/[id]/route';
import * as execRoute from '@/app/api/v1/sandboxes/[id]/exec/route';
import * as filesContentRoute from '@/app/api/v1/sandboxes/[id]/files/content/route';
import * as filesRoute from '@/app/api/v1/sandboxes/[id]/files/route';
import * as sandboxesRoute from '@/app/api/v1/sandboxes/route';

type RouteHandler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
type RouteModule = Partial<Record<'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', RouteHandler>>;

/**
 * The hottest API routes served by this process directly instead of through Next's router, which
 * costs about as much per request as the work itself. Not a second implementation: these are the
 * very route modules Next serves (app/api/...), called the way Next calls them, so every guard in
 * them (auth, rate limit, org scope, audit, idempotency, error shapes) runs unchanged, and the
 * API guard (405s, bad paths) has already run. Only plain paths are taken: an id or name made of
 * letters, digits, `-` and `_`, no trailing slash, no percent-encoding; HEAD and OPTIONS, and
 * anything else, go to Next as before. State shared with Next's copy of these modules (the API
 * key memo, in-flight actions, the exec log queue) lives on globalThis.
 */
const FAST: Array<{ re: RegExp; mod: RouteModule }> = [
  { re: /^\/api\/v1\/sandboxes$/, mod: sandboxesRoute },
  { re: /^\/api\/v1\/sandboxes\/([\w-]{1,100})$/, mod: sandboxRoute },
  { re: /^\/api\/v1\/sandboxes\/([\w-]{1,100})\/exec$/, mod: execRoute },
  { re: /^\/api\/v1\/sandboxes\/([\w-]{1,100})\/files$/, mod: filesRoute },
  { re: /^\/api\/v1\/sandboxes\/([\w-]{1,100})\/files\/content$/, mod: filesContentRoute },
];
/** Bodies up to this size are read whole before the handler runs (cheaper than a stream). */
const BUFFERED_BODY_MAX = 4 * 1024 * 1024;

export function fastApi(req: http.IncomingMessage, res: http.ServerResponse): boolean {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const pathname = q === -1 ? url : url.slice(0, q);
  if (!pathname.startsWith('/api/v1/sandboxes') || process.env.WARREN_FAST_API === '0') return false;
  const method = req.method ?? 'GET';
  for (const { re, mod } of FAST) {
    const m = re.exec(pathname);
    if (!m) continue;
    const handler = mod[method as keyof RouteModule];
    if (!handler) return false;
    void serve(req, res, handler, m[1] === undefined ? {} : { id: m[1] });
    return true;
  }
  return false;
}

async function serve(req: http.IncomingMessage, res: http.ServerResponse, handler: RouteHandler, params: Record<string, string>): Promise<void> {
  const aborted = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) aborted.abort();
  });
  let response: Response;
  try {
    response = await handler(await toWebRequest(req, aborted.signal), { params: Promise.resolve(params) });
  } catch (err) {
    response = errorResponse(err); // the handlers map their own errors; this is the last resort
  }
  await send(response, req, res);
}

async function toWebRequest(req: http.IncomingMessage, signal: AbortSignal): Promise<Request> {
  const method = req.method ?? 'GET';
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
  const url = `http://${req.headers.host ?? 'localhost'}${req.url}`;
  // A Host no URL can hold ("a b", a port past 65535) is the client's mistake, not a 500.
  if (!URL.canParse(url)) throw new AppError('bad_request', 'The Host header is not a valid host name');
  if (method === 'GET' || method === 'HEAD') return withSignal(new Request(url, { method, headers }), signal);
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  const body =
    declared <= BUFFERED_BODY_MAX ? await readBody(req) : (Readable.toWeb(req) as unknown as ReadableStream<Uint8Array>); // larger or chunked: streamed, the handler caps it
  return withSignal(new Request(url, { method, headers, body, duplex: 'half' } as RequestInit), signal);
}

/**
 * The request's `signal` is the fast path's own, aborted when the client leaves. Not passed to
 * `new Request`: undici then follows it through a WeakRef and a FinalizationRegistry entry, which
 * V8 clears only in a full GC, so each request's objects outlived the young generation. Under the
 * list's load that promoted ~6 MB per scavenge; the old space grew to ~450 MB between
 * mark-compacts that each held the event loop ~100 ms, which was most of the list's p99.
 * A copy of this request (`clone()`, `new Request(req)`) does not follow the client's leaving:
 * pass `req.signal` on explicitly (the routes do, to every runner call).
 */
function withSignal(request: Request, signal: AbortSignal): Request {
  return Object.defineProperty(request, 'signal', { value: signal, enumerable: true });
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

async function send(response: Response, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((v, k) => {
    if (k !== 'set-cookie') headers[k] = v;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length) headers['set-cookie'] = cookies;
  if (!response.body) {
    res.writeHead(response.status, headers).end();
    return;
  }
  if ((response.headers.get('content-type') ?? '').startsWith('application/json')) {
    let buf = Buffer.from(await response.arrayBuffer());
    // As Next compresses what it serves: a large answer (a list page) is gzipped for a client
    // that asks; small ones are not worth the CPU (the SDK asks for identity anyway).
    if (buf.length >= GZIP_MIN_BYTES && !headers['content-encoding'] && acceptsGzip(req)) {
      buf = zlib.gzipSync(buf, { level: 4 });
      headers['content-encoding'] = 'gzip';
      headers.vary = headers.vary ? `${headers.vary}, Accept-Encoding` : 'Accept-Encoding';
    }
    res.writeHead(response.status, { ...headers, 'content-length': String(buf.length) }).end(buf);
    return;
  }
  // Streams (NDJSON exec, file downloads) go out as they come, at the client's pace; a client
  // that leaves cancels the stream, which aborts the runner call behind it.
  res.writeHead(response.status, headers);
  const reader = response.body.getReader();
  res.once('close', () => void reader.cancel().catch(() => {}));
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) await drainedOrClosed(res);
      if (res.destroyed) return;
    }
    res.end();
  } catch {
    res.destroy();
  }
}

const GZIP_MIN_BYTES = 1024;
function acceptsGzip(req: http.IncomingMessage): boolean {
  const accept = req.headers['accept-encoding'];
  return typeof accept === 'string' && /\bgzip\b(?!\s*;\s*q=0(\.0*)?\s*(,|$))/i.test(accept);
}

function drainedOrClosed(res: http.ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    res.once('drain', resolve);
    res.once('close', resolve);
  });
}
