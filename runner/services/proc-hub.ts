import { EventEmitter } from 'node:events';
import type { AgentProcess, ExitInfo } from '@/runner/agent/client';
import { type OutputChunk, OutputRing, type OutputStream } from './output-ring';
import { normalizeExit } from './output-pump';

export type HubExit = { exitCode: number | null; signal: string | null };

export type HubSubscriber = {
  data(stream: OutputStream, data: Buffer): void;
  /** `null`: the agent connection was lost without an exit status (sandbox stopped, runner shutdown). */
  end(exit: HubExit | null): void;
};

/**
 * The runner's single connection to one detached process (a terminal or a background job).
 * The agent accepts one attached client per process ("newest wins"), so the runner holds that
 * one and fans output out to any number of viewers, keeping its own ring for replays. It reads
 * continuously, so a slow viewer never blocks the process: viewers that fall behind are cut off
 * by their own transport, not waited for.
 */
export class ProcHub extends EventEmitter {
  readonly ring: OutputRing;
  exit: HubExit | null = null;
  closed = false;
  private readonly subs = new Set<HubSubscriber>();

  constructor(
    readonly proc: AgentProcess,
    ringBytes: number,
  ) {
    super();
    this.ring = new OutputRing(ringBytes);
    proc.on('stdout', (b: Buffer) => this.data('stdout', b));
    proc.on('stderr', (b: Buffer) => this.data('stderr', b));
    proc.on('exit', (e: ExitInfo) => {
      this.exit = normalizeExit(e);
      this.emit('exit', this.exit);
      // The agent sends EXIT after the last output: the viewers hear it now, not a turn later
      // when the agent's end of the connection arrives.
      this.endViewers();
    });
    proc.on('close', () => {
      if (this.closed) return;
      this.closed = true;
      this.endViewers();
      this.emit('close', this.exit);
    });
  }

  get pid(): number {
    return this.proc.pid;
  }

  get viewers(): number {
    return this.subs.size;
  }

  private endViewers(): void {
    const subs = [...this.subs];
    this.subs.clear();
    for (const s of subs) s.end(this.exit);
  }

  private data(stream: OutputStream, b: Buffer): void {
    this.ring.push(stream, b);
    for (const s of this.subs) s.data(stream, b);
  }

  /** Replays the ring to `sub`, then streams live output; returns the unsubscribe function. */
  subscribe(sub: HubSubscriber): () => void {
    const replay: OutputChunk[] = this.ring.snapshot();
    for (const c of replay) sub.data(c.stream, c.data);
    if (this.closed || this.exit) {
      sub.end(this.exit);
      return () => {};
    }
    this.subs.add(sub);
    this.emit('viewers', this.subs.size);
    return () => {
      if (this.subs.delete(sub)) this.emit('viewers', this.subs.size);
    };
  }

  write(data: Buffer): void {
    if (!this.closed) this.proc.write(data);
  }

  /** Closes the process's stdin: it reads EOF. */
  endInput(): void {
    if (!this.closed) this.proc.end();
  }

  resize(cols: number, rows: number): void {
    if (!this.closed) this.proc.resize(cols, rows);
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (!this.closed) this.proc.kill(signal);
  }

  /** Drops the runner's connection; the detached process keeps running in the sandbox. */
  detach(): void {
    if (!this.closed) this.proc.detach();
  }
}
