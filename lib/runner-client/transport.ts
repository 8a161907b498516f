import http from 'node:http';
import { Readable } from 'node:stream';
import { RunnerCallAbortedError, RunnerError, RunnerTimeoutError, RunnerUnavailableError, surelyNotDone, wrapNetworkError } from './errors';

/** Where the runner listens: `unix:/abs/path.sock` or `http://127.0.0.1:PORT`. */
export type Target = { socketPath: string } | { host: string; port: number };

export function parseTarget(url: string): Target {
  if (url.startsWith('unix:')) {
    const socketPath = url.slice('unix:'.length).replace(/^\/\//, '');
    if (!socketPath.startsWith('/')) throw new Error(`Runner socket path must be absolute: ${url}`);
    return { socketPath };
  }
  const u = new URL(url);
  if (u.protocol !== 'http:') throw new Error(`Runner URL must be http:// or unix:, got ${url}`);
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || 80) };
}

export type Query = Record<string, string | number | boolean | undefined>;

/**
 * How long a call may take. Every call the console makes has one or both, so a runner that
 * accepts a connection and never answers cannot hold a request (or the reconciler) forever.
 */
export type CallLimits = {
  /** The whole exchange: until the answer has been read to its end (a stream's too). */
  deadlineMs?: number;
  /** The longest the connection may stay silent, no byte either way: for transfers and follows. */
  idleMs?: number;
};

export type RequestOptions = CallLimits & {
  query?: Query;
  /** Objects are sent as JSON; Buffers and Readables as raw bytes. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Cancels the call (e.g. when the console's own caller hung up): RunnerCallAbortedError. */
  signal?: AbortSignal;
};

/** The console's defaults; `WARREN_RUNNER_TIMEOUT_MS` scales them (lib/runners/registry.ts). */
export type RunnerTimeouts = {
  /** Control calls: state, lists, lifecycle. */
  callMs: number;
  /** Uploads, downloads and streams: silence allowed, however long the transfer. */
  idleMs: number;
  /** Added to an exec's own timeoutSec (the runner kills the command at that point). */
  execMarginMs: number;
  /** A snapshot copies the sandbox's files, which can take minutes. */
  snapshotMs: number;
};

export const DEFAULT_TIMEOUTS: RunnerTimeouts = { callMs: 30_000, idleMs: 60_000, execMarginMs: 30_000, snapshotMs: 600_000 };

const MAX_ERROR_BODY = 64 * 1024;
/** Below the runner's keep-alive timeout (Node's default 5 s) less the 1 s Node's agent keeps. */
const STALE_IDLE_MS = 3000;
const REPEATABLE = new Set(['GET', 'HEAD', 'PUT', 'DELETE']);
class StaleConnectionError extends Error {}
const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) qs.set(k, String(v));
  const s = qs.toString();
  return s ? `${path}?${s}` : path;
}

export const enc = encodeURIComponent;

export class Transport {
  readonly target: Target;
  constructor(
    readonly url: string,
    private readonly token: string,
    readonly timeouts: RunnerTimeouts = DEFAULT_TIMEOUTS,
  ) {
    this.target = parseTarget(url);
    this.agent.on('free', (socket) => this.freedAt.set(socket, Date.now()));
  }

  /**
   * Kept-alive connections for ordinary calls. A new connection per call cost a socket, a
   * connect, a shutdown and a close on each side (about 0.6 ms of console CPU per exec on a VM
   * with slow system calls). An idle connection is dropped 1 s before the runner's own
   * keep-alive timeout (Node follows the server's `Keep-Alive: timeout=` hint), so a request is
   * never sent on a connection the runner is closing; one the runner died on is dropped when its
   * close arrives, and a call caught in between fails like any call to a dead runner.
   */
  private readonly agent = new http.Agent({ keepAlive: true, maxFreeSockets: 16, scheduling: 'lifo' });
  /** When each kept-alive connection was last handed back, by the wall clock (see send). */
  private readonly freedAt = new WeakMap<object, number>();

  /** `pooled: false` for upgrades and proxied port traffic, which take the connection over. */
  baseOptions(method: string, path: string, headers: Record<string, string> = {}, pooled = false): http.RequestOptions {
    return {
      ...this.target,
      method,
      path,
      headers: { authorization: `Bearer ${this.token}`, ...headers },
      agent: pooled ? this.agent : false,
    };
  }


  /** Sends a request; resolves with the response when it is 2xx/101, else throws RunnerError. */
  request(method: string, path: string, opts: RequestOptions = {}): Promise<http.IncomingMessage> {
    const headers: Record<string, string> = { ...opts.headers };
    let payload: Buffer | Readable | undefined;
    if (Buffer.isBuffer(opts.body) || opts.body instanceof Uint8Array) {
      payload = Buffer.from(opts.body as Uint8Array);
      headers['content-type'] ??= 'application/octet-stream';
    } else if (opts.body instanceof Readable) {
      payload = opts.body;
      headers['content-type'] ??= 'application/octet-stream';
    } else if (opts.body !== undefined) {
      payload = Buffer.from(JSON.stringify(opts.body));
      headers['content-type'] = 'application/json';
    }
    if (Buffer.isBuffer(payload)) headers['content-length'] = String(payload.length);
    // A streamed body cannot be sent twice (see send's retry): it gets a connection of its own.
    return this.send(method, path, opts, headers, payload, !(payload instanceof Readable));
  }

  private send(method: string, path: string, opts: RequestOptions, headers: Record<string, string>, payload: Buffer | Readable | undefined, pooled: boolean): Promise<http.IncomingMessage> {
    return new Promise((resolve, reject) => {
      const req = http.request(this.baseOptions(method, withQuery(path, opts.query), headers, pooled));
      // A kept-alive connection idle for longer than STALE_IDLE_MS by the wall clock is not written
      // to: the agent's own idle timer cannot run while this process's event loop is stalled (a
      // blocking call, a long GC pause), and the runner may have closed it meanwhile. Nothing has
      // been sent when this runs, so the call goes out again on a new connection.
      req.once('socket', (socket) => {
        const freed = req.reusedSocket ? this.freedAt.get(socket) : undefined;
        if (freed !== undefined && Date.now() - freed > STALE_IDLE_MS) req.destroy(new StaleConnectionError());
      });
      let res: http.IncomingMessage | undefined;
      // Before the answer the promise rejects; after it, the stream its reader holds fails.
      const fail = (err: Error) => (res ? res.destroy(err) : req.destroy(err));
      const onAbort = () => fail(new RunnerCallAbortedError(opts.signal?.reason));
      const deadline = opts.deadlineMs
        ? setTimeout(() => fail(new RunnerTimeoutError(`${method} ${path}: no complete answer within ${seconds(opts.deadlineMs!)}`)), opts.deadlineMs)
        : undefined;
      const done = () => {
        clearTimeout(deadline);
        opts.signal?.removeEventListener('abort', onAbort);
      };
      if (opts.idleMs) {
        const idleMs = opts.idleMs;
        req.setTimeout(idleMs, () => fail(new RunnerTimeoutError(`${method} ${path}: nothing moved for ${seconds(idleMs)}`)));
      }
      if (opts.signal?.aborted) onAbort();
      else opts.signal?.addEventListener('abort', onAbort, { once: true });

      req.on('response', (r) => {
        res = r;
        r.once('close', done);
        if (r.statusCode && r.statusCode < 400) return resolve(r);
        readError(r).then((err) => {
          // An early refusal (a path the sandbox may not write, over a cap) while we are still
          // uploading: the rest of the body is unwanted, so stop sending it.
          if (!req.writableFinished) req.destroy();
          reject(err);
        }, reject);
      });
      // Errors after the answer arrived (the runner closing an upload it refused) do not matter.
      req.on('error', (err) => {
        if (res) return;
        done();
        // Sent again once, on a new connection, only when the runner cannot have acted on it: a
        // stale connection not written to (above); a write to a connection the runner had closed
        // (EPIPE); a reset one for a method that may be repeated. A POST (exec, create) whose
        // connection was reset may have been read: it fails, as it would have without the pool.
        const code = (err as NodeJS.ErrnoException).code;
        const surelyUnread = err instanceof StaleConnectionError || code === 'EPIPE';
        if (pooled && req.reusedSocket && (surelyUnread || (code === 'ECONNRESET' && REPEATABLE.has(method))) && !opts.signal?.aborted) {
          const again = this.send(method, path, opts, headers, payload, false);
          // A reset may come after the runner read the call and acted on it (it died mid-call):
          // when the second try then cannot reach it at all, the answer is still the reset's,
          // never "not sent", on which a caller would undo its own half (errors.ts, surelyNotDone).
          resolve(surelyUnread ? again : again.catch((err2) => Promise.reject(err2 instanceof RunnerUnavailableError && surelyNotDone(err2) ? wrapNetworkError(err, this.url) : err2)));
          return;
        }
        reject(err instanceof RunnerTimeoutError || err instanceof RunnerCallAbortedError ? err : wrapNetworkError(err, this.url));
      });
      if (payload instanceof Readable) {
        payload.on('error', (err) => req.destroy(err));
        payload.pipe(req);
      } else {
        req.end(payload);
      }
    });
  }

  /** A JSON call: by default it must be over, body read, within the control-call deadline. */
  async json<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const limits = opts.deadlineMs || opts.idleMs ? {} : { deadlineMs: this.timeouts.callMs };
    const res = await this.request(method, path, { ...limits, ...opts, headers: { accept: 'application/json', ...opts.headers } });
    let body: Buffer;
    try {
      body = await readAll(res);
    } catch (err) {
      throw err instanceof RunnerTimeoutError || err instanceof RunnerCallAbortedError ? err : wrapNetworkError(err, this.url);
    }
    const text = body.toString('utf8');
    return (text ? JSON.parse(text) : undefined) as T;
  }
}

export async function readAll(res: Readable, max = Number.POSITIVE_INFINITY): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of res as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > max) break;
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

export async function readError(res: http.IncomingMessage): Promise<RunnerError> {
  const status = res.statusCode ?? 500;
  let text = '';
  try {
    text = (await readAll(res, MAX_ERROR_BODY)).toString('utf8');
    const body = JSON.parse(text) as { error?: { code?: string; message?: string; details?: Record<string, unknown> } };
    if (body.error?.code) return new RunnerError(status, body.error.code, body.error.message ?? '', body.error.details);
  } catch {
    // Not our JSON shape (a proxy in between, a crash): fall through with the raw text.
  }
  res.destroy();
  return new RunnerError(status, status >= 500 ? 'internal' : 'bad_request', text.slice(0, 500) || `HTTP ${status}`);
}

/** Splits an NDJSON response into parsed objects; breaking out of the loop closes the request. */
export async function* ndjson<T>(res: http.IncomingMessage): AsyncGenerator<T> {
  let pending = '';
  res.setEncoding('utf8');
  try {
    for await (const chunk of res as AsyncIterable<string>) {
      pending += chunk;
      let nl = pending.indexOf('\n');
      while (nl >= 0) {
        const line = pending.slice(0, nl).trim();
        pending = pending.slice(nl + 1);
        if (line) yield JSON.parse(line) as T;
        nl = pending.indexOf('\n');
      }
    }
    if (pending.trim()) yield JSON.parse(pending) as T;
  } finally {
    res.destroy();
  }
}
