import type { WebSocketCtor } from './config.ts';
import { WarrenError } from './errors.ts';
import type { ApiClient, CallOptions } from './http.ts';

export type PtyOptions = CallOptions & {
  cols?: number;
  rows?: number;
  /** Terminal output, as bytes (the recent output first when re-joining). */
  onData?: (data: Uint8Array) => void;
};

/** A WebSocket implementation: the given one, the global one (browsers, Deno, edges, Node 22+), else `ws`. */
export async function webSocketImpl(given?: WebSocketCtor): Promise<WebSocketCtor> {
  if (given) return given;
  const global = (globalThis as { WebSocket?: WebSocketCtor }).WebSocket;
  if (global) return global;
  try {
    const mod = (await import(/* webpackIgnore: true */ 'ws' as string)) as { default: WebSocketCtor };
    return mod.default;
  } catch {
    throw new WarrenError('No WebSocket in this runtime: pass { WebSocket } (e.g. the `ws` package) to use terminals', 0, 'no_websocket');
  }
}

/**
 * Interactive terminals over the console's WebSocket (binary frames are bytes, text frames JSON
 * control). The shell lives as long as the sandbox, connected or not: `disconnect` leaves it
 * running (re-join with `connect(sessionId)`), `kill` ends it.
 */
export class Pty {
  constructor(
    private readonly api: ApiClient,
    private readonly sandboxId: string,
  ) {}

  /** A new shell (`bash -l` as `user` in /home/user). */
  create(opts: PtyOptions = {}): Promise<PtyHandle> {
    return this.open({ fresh: true, cols: opts.cols ?? 80, rows: opts.rows ?? 24 }, opts);
  }

  /** Re-joins a shell by its session id. */
  connect(sessionId: string, opts: PtyOptions = {}): Promise<PtyHandle> {
    return this.open({ sessionId, cols: opts.cols, rows: opts.rows }, opts);
  }

  private async open(body: Record<string, unknown>, opts: PtyOptions): Promise<PtyHandle> {
    // A one-minute ticket in the URL: works where a WebSocket cannot carry an Authorization header (browsers).
    const t = await this.api.json<{ sessionId: string; url: string }>('POST', `/sandboxes/${this.sandboxId}/terminal/ticket`, { json: body, signal: opts.signal });
    const url = new URL(t.url, this.api.conn.apiUrl);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const WS = await webSocketImpl(this.api.conn.WebSocket);
    const ws = new WS(url.toString());
    ws.binaryType = 'arraybuffer';
    const handle = new PtyHandle(ws, t.sessionId, opts.onData);
    await handle.opened(opts.signal);
    return handle;
  }
}

export class PtyHandle {
  private exitCode: number | null | undefined;
  private readonly exited: Promise<number | null>;
  private readonly encoder = new TextEncoder();

  constructor(
    private readonly ws: WebSocket,
    readonly sessionId: string,
    onData?: (data: Uint8Array) => void,
  ) {
    this.exited = new Promise((resolve) => {
      ws.addEventListener('message', (ev: MessageEvent) => {
        if (typeof ev.data !== 'string') return onData?.(new Uint8Array(ev.data as ArrayBuffer));
        const msg = JSON.parse(ev.data) as { type: string; exitCode?: number | null };
        if (msg.type === 'exit') this.exitCode = msg.exitCode ?? null;
      });
      ws.addEventListener('close', () => resolve(this.exitCode ?? null));
    });
  }

  opened(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.ws.readyState === 1) return resolve();
      const fail = () => reject(new WarrenError('The terminal connection was refused or dropped', 0, 'terminal_closed'));
      this.ws.addEventListener('open', () => resolve(), { once: true });
      this.ws.addEventListener('close', fail, { once: true });
      signal?.addEventListener(
        'abort',
        () => {
          this.ws.close();
          reject(signal.reason);
        },
        { once: true },
      );
    });
  }

  sendInput(data: string | Uint8Array): void {
    this.ws.send(typeof data === 'string' ? this.encoder.encode(data) : data);
  }

  resize(cols: number, rows: number): void {
    this.ws.send(JSON.stringify({ type: 'resize', cols, rows }));
  }

  /** Ends the shell (and so what runs in its foreground). */
  async kill(): Promise<number | null> {
    this.ws.send(JSON.stringify({ type: 'kill' }));
    return this.wait();
  }

  /** The shell's exit code once it ends (null if the connection closed first). */
  wait(): Promise<number | null> {
    return this.exited;
  }

  /** Closes this connection only; the shell keeps running. */
  disconnect(): void {
    this.ws.close(1000);
  }
}
