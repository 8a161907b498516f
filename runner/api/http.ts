import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { ZodError, type z } from 'zod';
import { AppError } from '@/lib/errors';
import { AgentConnectionError, AgentFsError } from '@/runner/agent/client';
import { mapFsError } from '@/runner/services/fs-errors';

/** JSON bodies of control calls are small; exec (stdin) gets a larger, explicit limit. */
export const MAX_JSON_BYTES = 1024 * 1024;

export type JsonResult = { status: number; body: unknown };
export const json = (status: number, body: unknown): JsonResult => ({ status, body });

/** How long an early answer keeps reading (and dropping) a body the client is still sending. */
export const LINGER_MS = 2000;

/**
 * Sends a JSON answer. When the request body has not all arrived (an upload refused before it
 * was read: a path the sandbox may not write, a size cap), ending the response would close the
 * connection under the client's writes (the console sends `Connection: close`); its next write
 * then fails with EPIPE, often before it has read our answer, and the refusal turned into
 * "runner not reachable". So the answer is sent whole but the response is only ended once the
 * body has been drained, or after LINGER_MS (then the connection is cut).
 */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  const req = res.req;
  if (!req || req.complete || req.destroyed) {
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), connection: 'close' });
  res.write(text);
  const finish = () => {
    clearTimeout(timer);
    if (!res.writableEnded) res.end();
  };
  const timer = setTimeout(() => {
    finish();
    req.destroy();
  }, LINGER_MS);
  timer.unref();
  req.once('end', finish);
  req.once('close', finish);
  drain(req);
}

/** Turns whatever a handler threw into the `{error:{code,message}}` shape every caller expects. */
export function toErrorBody(err: unknown): { status: number; body: { error: Record<string, unknown> } } {
  // Agent failures outside the file routes (spawn, attach) still deserve a meaningful answer.
  if (err instanceof AgentFsError) err = mapFsError(err, 'sandbox');
  if (err instanceof AgentConnectionError) {
    err = new AppError('conflict', `The sandbox's agent is not reachable (is it still running?): ${err.message}`);
  }
  if (err instanceof AppError) {
    const error: Record<string, unknown> = { code: err.code, message: err.message };
    if (err.details) error.details = err.details;
    return { status: err.status, body: { error } };
  }
  if (err instanceof ZodError) {
    const issues = err.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    const first = issues[0];
    const message = first ? `Invalid request: ${first.path || '(root)'}: ${first.message}` : 'Invalid request';
    return { status: 400, body: { error: { code: 'validation_failed', message, details: { issues } } } };
  }
  return { status: 500, body: { error: { code: 'internal', message: 'Internal runner error' } } };
}

export function sendError(res: ServerResponse, err: unknown, log: Logger): void {
  const { status, body } = toErrorBody(err);
  // 502 (port not answering) and 507 (disk full) are the sandbox's state, not runner faults.
  if (status === 500) log.error({ err }, 'request failed');
  else if (status >= 500) log.info({ err: (err as Error).message, status }, 'request refused');
  // A streaming response that already started cannot change its status; cut it instead.
  if (res.headersSent) {
    res.destroy();
    return;
  }
  // Marks the answer as the runner's own, so a proxy can tell it from a sandbox app's 502/404.
  res.setHeader('x-warren-runner-error', String(body.error.code));
  sendJson(res, status, body);
}

/** Reads a bounded JSON body and validates it; an empty body is treated as `{}`. */
export async function readJson<T extends z.ZodType>(
  req: IncomingMessage,
  schema: T,
  maxBytes = MAX_JSON_BYTES,
): Promise<z.infer<T>> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes) throw new AppError('payload_too_large', `Request body is larger than ${maxBytes} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new AppError('payload_too_large', `Request body is larger than ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  let body: unknown = {};
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      throw new AppError('bad_request', 'Request body is not valid JSON');
    }
  }
  return schema.parse(body);
}

/** Query strings become plain objects (last value wins) so strict zod schemas can check them. */
export function parseQuery<T extends z.ZodType>(url: URL, schema: T): z.infer<T> {
  return schema.parse(Object.fromEntries(url.searchParams.entries()));
}

/** Drains an unread request body so keep-alive connections stay usable after an early reply
 * (sendJson also drains whatever is still unread when it answers). */
export function discardBody(req: IncomingMessage): void {
  if (!req.complete) drain(req);
}

/**
 * Reads and drops the rest of a body. A consumer that gave up (a write the agent refused) may
 * still be piped from it, and its unpipe, a tick later, would pause the body again: detach
 * every pipe first.
 */
function drain(req: IncomingMessage): void {
  req.unpipe();
  req.resume();
}
