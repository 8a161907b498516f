import {
  backoffMs,
  CLOSE_REVOKED,
  type ConnectRequest,
  type TerminalConnection,
  TerminalFatalError,
  type TerminalStatus,
} from './terminal-types';

type Sink = {
  write: (data: Uint8Array | string) => void;
  reset: () => void;
  size: () => { cols: number; rows: number };
  onStatus: (status: TerminalStatus, detail?: string) => void;
  onMode: (mode: 'rw' | 'ro') => void;
};

/**
 * One terminal's link to the console relay: a fresh ticket per (re)connect, the same sessionId
 * after the first so a dropped socket re-joins the same shell, and backoff between attempts.
 * The relay replays recent output after its `session` message, so the screen is reset there
 * (otherwise a reconnect would print the replay twice).
 */
export class TerminalSocket {
  private ws: WebSocket | null = null;
  private sessionId: string | undefined;
  private attempt = 0;
  private connectedOnce = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private disposed = false;
  private ended = false;
  private readonly encoder = new TextEncoder();

  constructor(
    private readonly connect: (req: ConnectRequest) => Promise<TerminalConnection>,
    private readonly sink: Sink,
  ) {}

  async open(fresh = false): Promise<void> {
    if (this.disposed) return;
    this.ended = false;
    if (fresh) this.sessionId = undefined;
    this.sink.onStatus(this.connectedOnce ? 'reconnecting' : 'connecting');
    let conn: TerminalConnection;
    try {
      conn = await this.connect({ sessionId: this.sessionId, ...this.sink.size(), fresh: fresh || undefined });
    } catch (err) {
      if (err instanceof TerminalFatalError) this.sink.onStatus('failed', err.message);
      else this.retry();
      return;
    }
    if (this.disposed) return;
    if (conn.sessionId) this.sessionId = conn.sessionId;
    const url = new URL(conn.url, window.location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(url.href);
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    ws.onmessage = (ev) => this.message(ev);
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.disposed || this.ended) return;
      if (ev.code === CLOSE_REVOKED) this.sink.onStatus('failed', ev.reason || 'This link was revoked.');
      else this.retry();
    };
  }

  private message(ev: MessageEvent) {
    if (typeof ev.data !== 'string') {
      this.sink.write(new Uint8Array(ev.data as ArrayBuffer));
      return;
    }
    let msg: { type?: string; sessionId?: string; mode?: 'rw' | 'ro'; exitCode?: number };
    try {
      msg = JSON.parse(ev.data);
    } catch {
      return;
    }
    if (msg.type === 'session') {
      if (msg.sessionId) this.sessionId = msg.sessionId;
      this.sink.reset();
      this.sink.onMode(msg.mode ?? 'rw');
      this.connectedOnce = true;
      this.attempt = 0;
      this.sink.onStatus('connected');
      // The pane may have been resized while we were away.
      this.resize(this.sink.size().cols, this.sink.size().rows);
    } else if (msg.type === 'exit') {
      this.ended = true;
      this.sink.write(`\r\n\x1b[2m[process exited with code ${msg.exitCode ?? '?'}]\x1b[0m\r\n`);
      this.sink.onStatus('ended');
    }
  }

  private retry() {
    this.sink.onStatus(this.connectedOnce ? 'reconnecting' : 'connecting');
    const delay = backoffMs(this.attempt);
    this.attempt += 1;
    this.timer = setTimeout(() => void this.open(), delay);
  }

  send(data: string) {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(this.encoder.encode(data));
  }

  resize(cols: number, rows: number) {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ type: 'resize', cols, rows }));
  }

  dispose() {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.ws?.close();
    this.ws = null;
  }
}
