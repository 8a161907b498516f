import type http from 'node:http';
import { ZodError } from 'zod';
import { isDbUnavailable } from '@/lib/db-errors';
import { AppError } from '@/lib/errors';
import { logger } from '@/lib/logger';

/**
 * Plain-Node plumbing shared by the E2B REST API and the envd gateway. E2B's clients read errors
 * as `{code: <HTTP status>, message}` (they test `error.code === 404`), so that is the shape here,
 * always JSON: never an HTML page, never a redirect.
 */
export function sendJson(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: http.OutgoingHttpHeaders = {},
): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    ...(text ? { 'content-type': 'application/json' } : {}),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

export function toHttpError(err: unknown): { status: number; message: string; headers: http.OutgoingHttpHeaders } {
  if (err instanceof AppError) {
    const retry = err.details?.retryAfterSec;
    return {
      status: err.status,
      message: err.message,
      headers: typeof retry === 'number' ? { 'retry-after': String(retry) } : {},
    };
  }
  if (err instanceof ZodError) {
    const first = err.issues[0];
    return {
      status: 400,
      message: `${first?.path.length ? `${first.path.join('.')}: ` : ''}${first?.message ?? 'invalid input'}`,
      headers: {},
    };
  }
  if (isDbUnavailable(err))
    return { status: 503, message: 'The database does not answer; try again shortly', headers: { 'retry-after': '5' } };
  logger.error({ err }, 'unhandled error in the E2B API');
  return { status: 500, message: 'Something went wrong on our side', headers: {} };
}

export function sendError(res: http.ServerResponse, err: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const e = toHttpError(err);
  sendJson(res, e.status, { code: e.status, message: e.message }, e.headers);
}

/** Reads a JSON object body up to `max` bytes; an empty body is `{}`. */
export async function readJsonBody(req: http.IncomingMessage, max = 64 * 1024): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) throw new AppError('payload_too_large', `Request body is larger than ${max} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (!text) return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new AppError('bad_request', 'Request body is not valid JSON');
  }
  // Every body here is an object; `null` read as one (`body.name`) was a 500.
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new AppError('bad_request', 'Request body must be a JSON object');
  return body;
}

/** A web Request carrying only what the org gate reads (the method), for code shared with routes. */
export const methodOnly = (method: string | undefined) =>
  new Request('http://e2b.local/', { method: method === 'HEAD' ? 'GET' : (method ?? 'GET') });
