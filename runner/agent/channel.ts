import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { AgentConnectionError } from './errors';
import { encodeFrame, FrameDecoder } from './protocol';

/**
 * One connection to the agent = one request. Emits 'frame' (type, payload) for each whole frame
 * and 'done' (error | null) exactly once when the stream ends, errors or is destroyed.
 *
 * The agent runs inside the sandbox, whose root can replace it: every frame is untrusted. A
 * listener that throws on a malformed frame ends this channel with an AgentConnectionError
 * instead of escaping into the event loop (it would take the whole runner down), and an optional
 * idle timeout ends a channel on which nothing moved (neither way) for that long.
 */
export class Channel extends EventEmitter {
  private readonly decoder = new FrameDecoder();
  private finished = false;
  private idleMs = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private paused = false;

  constructor(
    readonly stream: Duplex,
    idleMs = 0,
  ) {
    super();
    stream.on('data', (chunk: Buffer) => {
      this.kick();
      let frames: ReturnType<FrameDecoder['push']>;
      try {
        frames = this.decoder.push(chunk);
      } catch (err) {
        this.destroy(err as Error);
        return;
      }
      for (const f of frames) {
        if (this.finished) return;
        try {
          this.emit('frame', f.type, f.payload);
        } catch (err) {
          this.destroy(new AgentConnectionError(`the agent sent a malformed frame: ${(err as Error).message}`));
          return;
        }
      }
    });
    stream.on('error', (err) =>
      this.finish(new AgentConnectionError(`agent connection: ${err.message}`, { cause: err })),
    );
    stream.on('end', () => this.finish(null));
    stream.on('close', () => this.finish(null));
    this.setIdleTimeout(idleMs);
  }

  get closed(): boolean {
    return this.finished;
  }

  /** 0 turns the idle timeout off (a live process may be silent as long as it likes). */
  setIdleTimeout(ms: number): void {
    this.idleMs = ms;
    this.kick();
  }

  private kick(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    if (this.idleMs <= 0 || this.finished || this.paused) return;
    const ms = this.idleMs;
    this.idleTimer = setTimeout(() => {
      this.destroy(new AgentConnectionError(`the sandbox agent did not answer within ${Math.round(ms / 1000)} s`));
    }, ms);
    this.idleTimer.unref();
  }

  /** Returns false when the stream's buffer is full (wait for 'drain' on `stream`). */
  send(type: number, payload?: Buffer): boolean {
    if (this.finished || this.stream.destroyed) return false;
    this.kick();
    return this.stream.write(encodeFrame(type, payload));
  }

  /** Backpressure from our reader: not the agent's fault, so the idle clock stops too. */
  pause(): void {
    this.paused = true;
    this.kick();
    this.stream.pause();
  }

  resume(): void {
    this.paused = false;
    this.kick();
    this.stream.resume();
  }

  destroy(err?: Error): void {
    this.finish(err ? (err instanceof AgentConnectionError ? err : new AgentConnectionError(err.message, { cause: err })) : null);
    this.stream.destroy();
  }

  private finish(err: Error | null): void {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.idleTimer);
    this.emit('done', err);
  }
}
