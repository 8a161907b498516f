import { ZodError, type z } from 'zod';
import { type Permission, can } from '@/lib/auth/permissions';
import { gateOrgRequest } from '@/lib/billing/gate';
import { resolveOrgScope, resolveUserScope } from '@/lib/auth/resolve-scope';
import type { OrgScope, UserScope } from '@/lib/auth/scope';
import { isDbUnavailable } from '@/lib/db-errors';
import { AppError, forbidden } from '@/lib/errors';
import { logger } from '@/lib/logger';

/**
 * Route handlers are thin adapters: parse → resolve scope → service → response. These wrappers
 * do the scope and the error mapping so each handler body is only the middle part.
 */
type RouteContext = { params: Promise<Record<string, string | string[]>> };
type Handler<S> = (args: { req: Request; scope: S; params: Record<string, string> }) => Promise<Response>;

export function withOrg(permission: Permission, handler: Handler<OrgScope>) {
  return async (req: Request, ctx: RouteContext) =>
    run(async () => {
      const scope = await resolveOrgScope(req);
      if (!can(scope.role, permission)) throw forbidden(`Your role (${scope.role}) cannot do this: needs ${permission}`);
      await gateOrgRequest(req, scope, permission);
      return handler({ req, scope, params: await flatParams(ctx) });
    });
}

export function withUser(handler: Handler<UserScope>) {
  return async (req: Request, ctx: RouteContext) =>
    run(async () => handler({ req, scope: await resolveUserScope(req), params: await flatParams(ctx) }));
}

export function withPlatformAdmin(handler: Handler<UserScope>) {
  return withUser(async (args) => {
    if (!args.scope.isPlatformAdmin) throw new AppError('not_found', 'Not found');
    return handler(args);
  });
}

/** Unauthenticated routes (sign-up, health) still get the same error mapping. */
export function withPublic(handler: (args: { req: Request; params: Record<string, string> }) => Promise<Response>) {
  return async (req: Request, ctx: RouteContext) => run(async () => handler({ req, params: await flatParams(ctx) }));
}

const MAX_JSON_BYTES = 64 * 1024;

/** Reads and validates a JSON body: malformed JSON, a wrong shape, unknown fields (use strict
 * schemas) and bodies over the limit all become 4xx errors before any service runs. */
export async function parseJson<T extends z.ZodType>(req: Request, schema: T, maxBytes = MAX_JSON_BYTES): Promise<z.infer<T>> {
  const declared = Number(req.headers.get('content-length') ?? 0);
  if (declared > maxBytes) throw new AppError('payload_too_large', `Request body is larger than ${maxBytes} bytes`);
  let text: string;
  try {
    text = await req.text();
  } catch {
    // The connection broke mid-body (the client left, or its framing was invalid): nobody reads
    // this answer, but it must not count as our failure.
    throw new AppError('bad_request', 'The request body could not be read');
  }
  if (Buffer.byteLength(text) > maxBytes) throw new AppError('payload_too_large', `Request body is larger than ${maxBytes} bytes`);
  // A browser can send a cross-site "simple" POST (text/plain) with the session cookie and no
  // preflight; requiring JSON for bodies on cookie-authenticated requests makes that impossible.
  const type = req.headers.get('content-type') ?? '';
  if (text !== '' && req.headers.has('cookie') && !req.headers.has('authorization') && !/^application\/json\b/i.test(type)) {
    throw new AppError('bad_request', 'Send the body as application/json');
  }
  let body: unknown;
  try {
    body = text === '' ? {} : JSON.parse(text);
  } catch {
    throw new AppError('bad_request', 'Request body is not valid JSON');
  }
  return schema.parse(body);
}

export function parseQuery<T extends z.ZodType>(req: Request, schema: T): z.infer<T> {
  return schema.parse(Object.fromEntries(new URL(req.url).searchParams));
}

export function errorResponse(err: unknown): Response {
  if (err instanceof AppError) {
    const res = Response.json({ error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } }, { status: err.status });
    // A rate limit says when to come back (RFC 9110's Retry-After, in seconds).
    const retry = err.details?.retryAfterSec ?? err.details?.retryAfterSeconds;
    if (typeof retry === 'number') res.headers.set('retry-after', String(retry));
    return res;
  }
  if (err instanceof ZodError) {
    const first = err.issues[0];
    const where = first?.path.length ? `${first.path.join('.')}: ` : '';
    return Response.json(
      { error: { code: 'validation_failed', message: `${where}${first?.message ?? 'invalid input'}`, issues: err.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) } },
      { status: 400 },
    );
  }
  if (isDbUnavailable(err)) {
    // Postgres is down or restarting: nothing is lost (sandboxes keep running on their runners),
    // and the same request will work once it answers again. Say so, as for a runner outage.
    logger.warn({ err: (err as Error).message }, 'the database does not answer');
    return Response.json(
      { error: { code: 'db_unavailable', message: 'The database does not answer; try again shortly' } },
      { status: 503, headers: { 'retry-after': '5' } },
    );
  }
  logger.error({ err }, 'unhandled error in route handler');
  return Response.json({ error: { code: 'internal', message: 'Something went wrong on our side' } }, { status: 500 });
}

async function run(fn: () => Promise<Response>): Promise<Response> {
  try {
    return await fn();
  } catch (err) {
    return errorResponse(err);
  }
}

/**
 * Path parameters arrive percent-decoded, so `%00` is a real NUL here. None of our ids, ports or
 * tokens can hold a control character, and Postgres text cannot hold a NUL at all, so such a
 * parameter names nothing: a 404 before any service runs (the same answer as any id that
 * cannot exist). Malformed percent-encoding never gets this far (lib/server/api-guard.ts).
 */
async function flatParams(ctx: RouteContext | undefined): Promise<Record<string, string>> {
  const raw = ctx?.params ? await ctx.params : {};
  const flat = Object.entries(raw).map(([k, v]) => [k, Array.isArray(v) ? v.join('/') : v] as const);
  for (const [k, v] of flat) {
    if (/\p{Cc}/u.test(v)) throw new AppError('not_found', `Not found: the ${k} in the path holds a control character`);
  }
  return Object.fromEntries(flat);
}
