import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { AgentConnectionError } from './errors';
import { encodeFrame, FrameDecoder } from './protocol';

/**
 * One connection to the agent = one request. Emits 'frame' (type, payload) for each whole frame
 * and 'done' (error | null) exactly once when the stream ends, errors or is destroyed.
 */
export class Channel extends EventEmitter {
  private readonly decoder = new FrameDecoder();
  private finished = false;

  constructor(readonly stream: Duplex) {
    super();
    stream.on('data', (chunk: Buffer) => {
      let frames: ReturnType<FrameDecoder['push']>;
      try {
        frames = this.decoder.push(chunk);
      } catch (err) {
        this.destroy(err as Error);
        return;
      }
      for (const f of frames) {
        if (this.finished) return;
        this.emit('frame', f.type, f.payload);
      }
    });
    stream.on('error', (err) =>
      this.finish(new AgentConnectionError(`agent connection: ${err.message}`, { cause: err })),
    );
    stream.on('end', () => this.finish(null));
    stream.on('close', () => this.finish(null));
  }

  get closed(): boolean {
    return this.finished;
  }

  /** Returns false when the stream's buffer is full (wait for 'drain' on `stream`). */
  send(type: number, payload?: Buffer): boolean {
    if (this.finished || this.stream.destroyed) return false;
    return this.stream.write(encodeFrame(type, payload));
  }

  pause(): void {
    this.stream.pause();
  }

  resume(): void {
    this.stream.resume();
  }

  destroy(err?: Error): void {
    this.finish(err ? new AgentConnectionError(err.message, { cause: err }) : null);
    this.stream.destroy();
  }

  private finish(err: Error | null): void {
    if (this.finished) return;
    this.finished = true;
    this.emit('done', err);
  }
}
