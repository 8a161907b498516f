import { EventEmitter } from 'node:events';
import os from 'node:os';
import type { Channel } from './channel';
import { decodeErr } from './errors';
import { Frame, encodeFrame, i32 } from './protocol';

export type ExitInfo = { exitCode: number; signal: number };

export function signalNumber(signal: NodeJS.Signals | number): number {
  if (typeof signal === 'number') return signal;
  const n = os.constants.signals[signal];
  if (n === undefined) throw new TypeError(`unknown signal ${signal}`);
  return n;
}

/** Throws on a malformed payload (the channel turns that into a protocol error). */
export function decodeExit(payload: Buffer): ExitInfo {
  if (payload.length !== 8) throw new Error(`EXIT payload of ${payload.length} bytes`);
  return { exitCode: payload.readInt32BE(0), signal: payload.readInt32BE(4) };
}

/**
 * A process started (or attached to) through the agent.
 * Events: 'stdout' (Buffer), 'stderr' (Buffer), 'exit' (ExitInfo), 'close' (Error | null).
 * Backpressure: pause() stops reading the connection, so the agent stops reading the process's
 * output and the process blocks (a detached one keeps writing into its ring instead).
 */
export class AgentProcess extends EventEmitter {
  exit: ExitInfo | null = null;
  private held: Array<[number, Buffer]> | null = [];
  private userPaused = false;

  constructor(
    readonly pid: number,
    private readonly channel: Channel,
  ) {
    super();
    channel.on('frame', (type: number, payload: Buffer) => {
      if (this.held) this.held.push([type, payload]);
      else this.onFrame(type, payload);
    });
    channel.on('done', (err: Error | null) => {
      if (this.held) this.held.push([-1, Buffer.alloc(0)]);
      else this.emit('close', err);
    });
    // Frames that arrived with STARTED are delivered once the caller has had a chance to attach
    // listeners (after the promise returning this object has resolved).
    channel.pause();
    setImmediate(() => {
      const held = this.held ?? [];
      this.held = null;
      try {
        for (const [type, payload] of held) {
          if (type === -1) this.emit('close', null);
          else this.onFrame(type, payload);
        }
      } catch (err) {
        this.channel.destroy(err as Error); // a malformed frame (untrusted agent): end it, never throw
        return;
      }
      if (!this.userPaused) channel.resume();
    });
  }

  private onFrame(type: number, payload: Buffer): void {
    if (type === Frame.STDOUT) this.emit('stdout', payload);
    else if (type === Frame.STDERR) this.emit('stderr', payload);
    else if (type === Frame.EXIT) {
      this.exit = decodeExit(payload);
      this.emit('exit', this.exit);
    } else if (type === Frame.ERR) this.channel.destroy(decodeErr(payload));
  }

  /** Returns false when the connection's buffer is full; wait for 'drain' via `drained()`. */
  write(data: Buffer | string): boolean {
    let buf = typeof data === 'string' ? Buffer.from(data) : data;
    let ok = true;
    while (buf.length > 0) {
      const part = buf.subarray(0, 256 * 1024);
      buf = buf.subarray(part.length);
      ok = this.channel.send(Frame.STDIN, part);
    }
    return ok;
  }

  drained(): Promise<void> {
    if (!this.channel.stream.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => this.channel.stream.once('drain', () => resolve()));
  }

  /** Closes the process's stdin (pipes) or sends ^D (pty). */
  end(): void {
    this.channel.send(Frame.STDIN_EOF);
  }

  resize(cols: number, rows: number): void {
    const b = Buffer.allocUnsafe(4);
    b.writeUInt16BE(cols, 0);
    b.writeUInt16BE(rows, 2);
    this.channel.send(Frame.RESIZE, b);
  }

  /** Signals the whole process group. */
  kill(signal: NodeJS.Signals | number = 'SIGKILL'): void {
    this.channel.send(Frame.SIGNAL, i32(signalNumber(signal)));
  }

  /** Closes the connection. A detached process keeps running; any other is killed by the agent. */
  detach(): void {
    this.channel.destroy();
  }

  pause(): void {
    this.userPaused = true;
    this.channel.pause();
  }

  resume(): void {
    this.userPaused = false;
    if (!this.held) this.channel.resume();
  }

  /** The raw frame for tests and tools that proxy the protocol. */
  static encode(type: number, payload?: Buffer): Buffer {
    return encodeFrame(type, payload);
  }
}
