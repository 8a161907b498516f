import { type ConnectionOptions, type ResolvedConnection, resolveConnection } from './config.ts';
import { type ErrorBody, TimeoutError, UnavailableError, type WarrenError, errorFor } from './errors.ts';

export type CallOptions = {
  /** Cancels the call (and, for commands, the command). */
  signal?: AbortSignal;
  /** This call's deadline in ms, instead of the client's requestTimeoutMs. */
  timeoutMs?: number;
};

type RequestInput = CallOptions & {
  query?: Record<string, string | string[] | number | boolean | undefined>;
  json?: unknown;
  body?: BodyInit;
  headers?: Record<string, string>;
  /** Safe to repeat: retried after network errors, 502/503/504 and 429/409 with Retry-After. */
  retry?: boolean;
  /** Send an Idempotency-Key (one per logical call, the same on each retry): also makes it retryable. */
  idempotent?: boolean;
};

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        reject(signal.reason);
      },
      { once: true },
    );
  });

const randomKey = () => (globalThis.crypto?.randomUUID?.() ?? `${Date.now()}-${Math.random().toString(36).slice(2)}`);

/**
 * The one place HTTP happens: auth, JSON, typed errors, deadlines, AbortSignal, and retries only
 * where repeating cannot do a thing twice (reads, deletes, and POSTs under an Idempotency-Key,
 * which the API answers once and replays).
 */
export class ApiClient {
  readonly conn: ResolvedConnection;

  constructor(opts: ConnectionOptions | ApiClient = {}) {
    this.conn = opts instanceof ApiClient ? opts.conn : resolveConnection(opts);
  }

  url(path: string, query?: RequestInput['query']): string {
    const u = new URL(this.conn.base + path);
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v === undefined) continue;
      for (const one of Array.isArray(v) ? v : [v]) u.searchParams.append(k, String(one));
    }
    return u.toString();
  }

  async request(method: string, path: string, input: RequestInput = {}): Promise<Response> {
    // identity: fetch asks for gzip by default, and compressing a small JSON answer costs the
    // console more (≈2 ms at p50, bench/sdk-overhead) than it saves; browsers ignore this header.
    const headers: Record<string, string> = { authorization: `Bearer ${this.conn.apiKey}`, 'accept-encoding': 'identity', ...input.headers };
    let body = input.body;
    if (input.json !== undefined) {
      body = JSON.stringify(input.json);
      headers['content-type'] = 'application/json';
    }
    if (input.idempotent) headers['idempotency-key'] = randomKey();
    const retryable = input.retry ?? (input.idempotent || method === 'GET' || method === 'DELETE');
    // A stream body cannot be sent twice.
    const canRepeat = retryable && !(body instanceof ReadableStream);
    for (let attempt = 0; ; attempt++) {
      const deadline = new AbortController();
      const ms = input.timeoutMs ?? this.conn.requestTimeoutMs;
      const timer = setTimeout(() => deadline.abort(new TimeoutError(`${method} ${path}: no answer within ${ms} ms`, 0, 'client_timeout')), ms);
      const signal = input.signal ? anySignal([input.signal, deadline.signal]) : deadline.signal;
      let res: Response;
      try {
        const init: RequestInit & { duplex?: 'half' } = { method, headers, body, signal };
        if (body instanceof ReadableStream) init.duplex = 'half';
        res = await this.conn.fetch(this.url(path, input.query), init);
      } catch (err) {
        clearTimeout(timer);
        if (input.signal?.aborted) throw input.signal.reason ?? err;
        const e = deadline.signal.aborted ? (deadline.signal.reason as WarrenError) : new UnavailableError(`${method} ${path}: ${(err as Error).message}`, 0, 'network_error');
        if (canRepeat && attempt < this.conn.maxRetries) {
          await sleep(backoff(attempt), input.signal);
          continue;
        }
        throw e;
      }
      // The deadline is for the answer to start: a stream then runs as long as its reader wants.
      clearTimeout(timer);
      if (res.ok) return res;
      const retryAfter = retryAfterSec(res);
      const error = errorFor(res.status, await errorBody(res), retryAfter);
      const again =
        attempt < this.conn.maxRetries &&
        // A rate-limited request was refused before anything happened: any method may repeat it,
        // as long as its body can be sent again.
        (res.status === 429 ? error.code === 'rate_limited' && !(body instanceof ReadableStream) : canRepeat && (res.status >= 502 || (res.status === 409 && retryAfter !== null)));
      if (!again) throw error;
      await sleep(retryAfter !== null ? retryAfter * 1000 : backoff(attempt), input.signal);
    }
  }

  async json<T>(method: string, path: string, input: RequestInput = {}): Promise<T> {
    const res = await this.request(method, path, input);
    return (await res.json()) as T;
  }
}

function backoff(attempt: number): number {
  return Math.min(4000, 200 * 2 ** attempt) * (0.5 + Math.random() / 2);
}

function retryAfterSec(res: Response): number | null {
  const v = res.headers.get('retry-after');
  if (v === null) return null;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? Math.min(n, 60) : null;
}

async function errorBody(res: Response): Promise<ErrorBody | undefined> {
  try {
    const j = (await res.json()) as { error?: ErrorBody };
    return j.error;
  } catch {
    return undefined;
  }
}

/** AbortSignal.any where it exists (Node 20.3+, modern edges), else a small equivalent. */
export function anySignal(signals: AbortSignal[]): AbortSignal {
  const any = (AbortSignal as { any?: (s: AbortSignal[]) => AbortSignal }).any;
  if (any) return any(signals);
  const ac = new AbortController();
  for (const s of signals) {
    if (s.aborted) ac.abort(s.reason);
    else s.addEventListener('abort', () => ac.abort(s.reason), { once: true });
  }
  return ac.signal;
}
