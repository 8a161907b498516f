import http from 'node:http';
import type { Duplex } from 'node:stream';
import WebSocket from 'ws';
import { RunnerTimeoutError, wrapNetworkError } from './errors';
import { type CallLimits, type Transport, enc, ndjson, readAll, readError } from './transport';
import type {
  ProcessInfo,
  ProcessOutputEvent,
  ProcessRequest,
  ProcessStartEvent,
  ProcessSignal,
  PtyCreateRequest,
  PtySessionInfo,
} from './types';

const sb = (id: string) => `/v1/sandboxes/${enc(id)}`;

/** Long-lived things: background processes, terminals, and raw port tunnels. */
export function liveApi(t: Transport, token: string) {
  const ptyPath = (id: string, sessionId: string) => `${sb(id)}/pty/${enc(sessionId)}`;

  /**
   * Sends an HTTP upgrade and resolves with the switched socket (bytes already read are put back).
   * The handshake has the control-call deadline; the tunnel itself is the caller's to time.
   */
  const upgrade = (path: string, protocol: string): Promise<Duplex> =>
    new Promise((resolve, reject) => {
      const req = http.request(t.baseOptions('GET', path, { connection: 'Upgrade', upgrade: protocol }));
      const ms = t.timeouts.callMs;
      req.setTimeout(ms, () => req.destroy(new RunnerTimeoutError(`GET ${path}: no upgrade within ${ms / 1000} s`)));
      req.on('upgrade', (_res, socket, head) => {
        socket.setTimeout(0);
        if (head.length) socket.unshift(head);
        resolve(socket);
      });
      req.on('response', (res) => readError(res).then(reject, reject));
      req.on('error', (err) => reject(err instanceof RunnerTimeoutError ? err : wrapNetworkError(err, t.url)));
      req.end();
    });

  const ptyWebSocketUrl = (id: string, sessionId: string): string => {
    const target = t.target;
    const path = ptyPath(id, sessionId);
    // `ws` reaches unix sockets through its ws+unix: scheme (socket path, then ":" and the path).
    if ('socketPath' in target) return `ws+unix:${target.socketPath}:${path}`;
    const host = target.host.includes(':') ? `[${target.host}]` : target.host;
    return `ws://${host}:${target.port}${path}`;
  };

  /** Replays the process's recent output, then follows it until exit. Leaving the loop detaches. */
  async function* output(
    id: string,
    pid: number,
    // A follow may be silent for as long as the process is: no default limit, the caller's own.
    opts: CallLimits & { signal?: AbortSignal } = {},
  ): AsyncGenerator<ProcessOutputEvent> {
    const res = await t.request('GET', `${sb(id)}/processes/${pid}/output`, opts);
    yield* ndjson<ProcessOutputEvent>(res);
  }

  /**
   * Starts a detached process and follows it on the same connection: a `start` event, then what
   * `output` yields. The start must come within the control-call deadline; the follow after it
   * has no limit but the caller's signal. Leaving the loop (or the signal) only detaches. A
   * runner from before `?follow=1` answers the start alone: its output is then followed with a
   * second call, so a newer console works with an older runner.
   */
  async function* startFollow(
    id: string,
    req: ProcessRequest,
    opts: { signal?: AbortSignal } = {},
  ): AsyncGenerator<ProcessStartEvent | ProcessOutputEvent> {
    const path = `${sb(id)}/processes`;
    const ac = new AbortController();
    const onAbort = () => ac.abort(opts.signal?.reason);
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener('abort', onAbort, { once: true });
    const ms = t.timeouts.callMs;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      ac.abort();
    }, ms);
    try {
      const res = await t.request('POST', path, { body: req, query: { follow: 1 }, signal: ac.signal });
      if (!(res.headers['content-type'] ?? '').includes('ndjson')) {
        const started = JSON.parse((await readAll(res)).toString('utf8')) as Omit<ProcessStartEvent, 'type'>;
        clearTimeout(timer);
        yield { type: 'start', ...started };
        yield* output(id, started.pid, { signal: ac.signal });
        return;
      }
      const events = ndjson<ProcessStartEvent | ProcessOutputEvent>(res);
      const first = await events.next();
      clearTimeout(timer);
      if (first.done) return;
      yield first.value;
      yield* events;
    } catch (err) {
      if (timedOut) throw new RunnerTimeoutError(`POST ${path}: the process did not start within ${ms / 1000} s`);
      throw err;
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
    }
  }

  return {
    processes: {
      /** Starts a detached background process; it outlives this call and the runner's restarts. */
      start: (id: string, req: ProcessRequest) =>
        t.json<{ pid: number; cmd: string[]; startedAt: string }>('POST', `${sb(id)}/processes`, { body: req }),
      startFollow,
      list: async (id: string) => (await t.json<{ processes: ProcessInfo[] }>('GET', `${sb(id)}/processes`)).processes,
      output,
      /** Writes to the stdin of a process started with `stdin: true`; `eof` closes it after. */
      input: async (id: string, pid: number, body: { data?: string; eof?: boolean }): Promise<void> => {
        await t.json('POST', `${sb(id)}/processes/${pid}/stdin`, { body });
      },
      /** SIGKILL (the default) ends it; another signal is only delivered to its process group. */
      kill: async (id: string, pid: number, signal: ProcessSignal = 'SIGKILL'): Promise<void> => {
        await t.json('DELETE', `${sb(id)}/processes/${pid}?signal=${signal}`);
      },
    },

    pty: {
      create: (id: string, req: PtyCreateRequest) =>
        t.json<{ sessionId: string; pid: number }>('POST', `${sb(id)}/pty`, { body: req }),
      list: async (id: string) => (await t.json<{ sessions: PtySessionInfo[] }>('GET', `${sb(id)}/pty`)).sessions,
      resize: async (id: string, sessionId: string, cols: number, rows: number): Promise<void> => {
        await t.json('POST', `${ptyPath(id, sessionId)}/resize`, { body: { cols, rows } });
      },
      kill: async (id: string, sessionId: string, signal: ProcessSignal = 'SIGKILL'): Promise<void> => {
        await t.json('DELETE', `${ptyPath(id, sessionId)}?signal=${signal}`);
      },
    },

    ptyWebSocketUrl,
    /**
     * Opens a terminal viewer. Binary frames from the runner are terminal bytes (the recent
     * output first), text frames are JSON ({type:'exit'}); send binary keystrokes and
     * `{"type":"resize","cols","rows"}` text frames.
     */
    connectPty: (id: string, sessionId: string): WebSocket =>
      new WebSocket(ptyWebSocketUrl(id, sessionId), {
        headers: { authorization: `Bearer ${token}` },
        perMessageDeflate: false,
        handshakeTimeout: t.timeouts.callMs,
      }),

    /** A raw TCP stream to 127.0.0.1:port inside the sandbox. */
    tunnel: (id: string, port: number): Promise<Duplex> => upgrade(`${sb(id)}/ports/${port}/tunnel`, 'tcp'),

    /**
     * Request options for the runner's HTTP reverse proxy to a sandbox port, so a caller (the
     * console's preview server) can pipe a request through with node:http, upgrades included.
     * `rest` is the path and query inside the sandbox, e.g. "/index.html?x=1".
     */
    proxyRequestOptions: (
      id: string,
      port: number,
      rest: string,
      method: string,
      headers: http.OutgoingHttpHeaders = {},
    ): http.RequestOptions => {
      const inner = rest.startsWith('/') ? rest : `/${rest}`;
      const opts = t.baseOptions(method, `${sb(id)}/ports/${port}/http${inner}`);
      return { ...opts, headers: { ...headers, authorization: `Bearer ${token}` } };
    },
  };
}
