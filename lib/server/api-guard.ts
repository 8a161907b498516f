import type http from 'node:http';
import { allowedMethods, matchApiRoute } from '@/lib/api/route-table';

/**
 * Answers, before Next sees them, the API requests Next cannot answer in our error shape:
 * - malformed percent-encoding in the path (`/api/v1/sandboxes/%ZZ`): Next's parameter decoding
 *   throws and the route never runs, which was a 500;
 * - dot segments (`..`, `%2e%2e`, or behind a backslash): Next resolves them as a URL does, so
 *   `DELETE /api/v1/sandboxes/x/ports/%2e%2e` reached another route or was redirected (308) to
 *   `/api/v1/sandboxes/x`, where a client that follows redirects would delete the sandbox;
 * - a method the route does not serve: Next gives a bare 405 (no Allow), a bare 400 for methods
 *   it does not know, and a 500 for TRACE (its web Request refuses the method);
 * - a path no route serves: a JSON 404 instead of the console's HTML not-found page.
 * Returns true when it answered. WebSocket upgrades never come here (server.ts's upgrade path).
 */
export function apiGuard(req: http.IncomingMessage, res: http.ServerResponse): boolean {
  const pathname = (req.url ?? '/').split('?')[0]!;
  if (!pathname.startsWith('/api/')) {
    // Pages with a dynamic segment (/embed/%ZZ, /invite/%ZZ) fail the same way in Next: a 500.
    if (pathname.startsWith('/_next/') || decodes(pathname)) return false;
    res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    res.end('Bad request: the path is not valid percent-encoding.\n');
    return true;
  }
  if (!decodes(pathname)) {
    return reply(res, 400, 'bad_request', 'The request path is not valid percent-encoding (a % must be followed by two hex digits)');
  }
  if (pathname.includes('\\') || pathname.split('/').some((s) => /^(\.|%2e){1,2}$/i.test(s))) {
    return reply(res, 400, 'bad_request', 'The request path must not contain dot segments (. or ..) or backslashes');
  }
  const route = matchApiRoute(pathname);
  if (!route) return reply(res, 404, 'not_found', `No API route at ${pathname.slice(0, 200)}`);
  const allow = allowedMethods(route.methods);
  const method = req.method ?? 'GET';
  if (!allow.includes(method)) {
    const message = `${method.slice(0, 20)} is not allowed on ${route.pattern}; it serves ${route.methods.join(', ')}`;
    return reply(res, 405, 'method_not_allowed', message, { allow: allow.join(', ') });
  }
  return false;
}

function decodes(pathname: string): boolean {
  try {
    for (const segment of pathname.split('/')) decodeURIComponent(segment);
    return true;
  } catch {
    return false;
  }
}

function reply(res: http.ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): true {
  const body = JSON.stringify({ error: { code, message } });
  // An unread request body is drained by Node once this answer is sent, so keep-alive survives.
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store', ...headers });
  res.end(body);
  return true;
}
