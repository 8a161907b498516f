import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { AppError } from '@/lib/errors';
import type { JsonResult } from './http';

export type RouteContext = {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: Record<string, string>;
};
/** A handler either returns a JSON result or writes `res` itself (streams) and returns nothing. */
export type RouteHandler = (ctx: RouteContext) => Promise<JsonResult | undefined>;

export type UpgradeContext = {
  req: IncomingMessage;
  socket: Duplex;
  head: Buffer;
  url: URL;
  params: Record<string, string>;
};
export type UpgradeHandler = (ctx: UpgradeContext) => Promise<void>;

type Compiled<H> = { method: string; regex: RegExp; keys: string[]; handler: H };

/**
 * A deliberately tiny router: `:name` matches one path segment, a trailing `*name` matches the
 * rest (for the port proxy). No framework, so the upgrade path can share the same patterns.
 */
function compile<H>(method: string, pattern: string, handler: H): Compiled<H> {
  const keys: string[] = [];
  const source = pattern
    .split('/')
    .map((part) => {
      if (part.startsWith(':')) {
        keys.push(part.slice(1));
        return '([^/]+)';
      }
      if (part.startsWith('*')) {
        keys.push(part.slice(1));
        return '\u0000';
      }
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/')
    .replace('/\u0000', '(?:/(.*))?');
  return { method, regex: new RegExp(`^${source}$`), keys, handler };
}

function match<H>(routes: Compiled<H>[], method: string, pathname: string) {
  let pathMatched = false;
  for (const r of routes) {
    const m = r.regex.exec(pathname);
    if (!m) continue;
    pathMatched = true;
    if (r.method !== '*' && r.method !== method) continue;
    const params: Record<string, string> = {};
    r.keys.forEach((k, i) => {
      const raw = m[i + 1] ?? '';
      try {
        params[k] = decodeURIComponent(raw);
      } catch {
        throw new AppError('bad_request', `Malformed path parameter ${k}`);
      }
    });
    return { handler: r.handler, params };
  }
  if (pathMatched) throw new AppError('bad_request', `Method ${method} not allowed on ${pathname}`);
  throw new AppError('not_found', `No route for ${method} ${pathname}`);
}

export class Router {
  private readonly routes: Compiled<RouteHandler>[] = [];
  private readonly upgrades: Compiled<UpgradeHandler>[] = [];

  on(method: string, pattern: string, handler: RouteHandler): this {
    this.routes.push(compile(method, pattern, handler));
    return this;
  }

  upgrade(pattern: string, handler: UpgradeHandler): this {
    this.upgrades.push(compile('GET', pattern, handler));
    return this;
  }

  match(method: string, pathname: string) {
    return match(this.routes, method, pathname);
  }

  matchUpgrade(pathname: string) {
    return match(this.upgrades, 'GET', pathname);
  }
}
