import type { EventEmitter } from 'node:events';
import os from 'node:os';
import { StringDecoder } from 'node:string_decoder';
import type { Writable } from 'node:stream';

/** The part of an agent process the pump needs: its output events and flow control. */
export type ProcOutput = EventEmitter & { pause?: () => void; resume?: () => void };

export type ProcExit = { exitCode: number | null; signal: string | null };

const signalNames = new Map<number, string>();
for (const [name, num] of Object.entries(os.constants.signals)) if (!signalNames.has(num)) signalNames.set(num, name);

/** The agent reports `{exitCode: -1, signal: 9}` for a killed process; callers want `SIGKILL`. */
export function normalizeExit(e: { exitCode: number; signal: number } | null | undefined): ProcExit {
  if (!e) return { exitCode: null, signal: null };
  const signal = e.signal ? (signalNames.get(e.signal) ?? `SIG${e.signal}`) : null;
  return { exitCode: signal && e.exitCode < 0 ? null : e.exitCode, signal };
}

/**
 * Writes a process's stdout/stderr as NDJSON events to `out` until the process exits or the
 * connection ends. When `out` is full the process is paused (the agent then stops reading the
 * pipe and the command blocks on write), so a flood never piles up in the runner's memory.
 * Chunks are decoded with a StringDecoder per stream: a multi-byte character split across two
 * chunks is not turned into replacement characters.
 */
export function pumpOutput(proc: ProcOutput, out: Writable): Promise<ProcExit | null> {
  const decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
  return new Promise((resolve) => {
    let settled = false;
    const finish = (v: ProcExit | null) => {
      if (settled) return;
      settled = true;
      proc.off('stdout', onStdout);
      proc.off('stderr', onStderr);
      proc.off('exit', onExit);
      proc.off('close', onClose);
      out.off('close', onOutClose);
      out.off('drain', onDrain);
      resolve(v);
    };
    const write = (event: object) => {
      if (out.writableEnded || out.destroyed) return;
      if (!out.write(`${JSON.stringify(event)}\n`)) proc.pause?.();
    };
    const emit = (type: 'stdout' | 'stderr', buf: Buffer) => {
      const data = decoders[type].write(buf);
      if (data) write({ type, data });
    };
    const onStdout = (b: Buffer) => emit('stdout', b);
    const onStderr = (b: Buffer) => emit('stderr', b);
    const onDrain = () => proc.resume?.();
    const onExit = (e: { exitCode: number; signal: number }) => {
      for (const type of ['stdout', 'stderr'] as const) {
        const rest = decoders[type].end();
        if (rest) write({ type, data: rest });
      }
      finish(normalizeExit(e));
    };
    // The agent connection closing without an exit means the process is gone from our view.
    const onClose = () => finish(null);
    const onOutClose = () => finish(null);
    proc.on('stdout', onStdout);
    proc.on('stderr', onStderr);
    proc.on('exit', onExit);
    proc.on('close', onClose);
    out.on('drain', onDrain);
    out.on('close', onOutClose);
  });
}

export function writeEvent(out: Writable, event: object): void {
  if (!out.writableEnded && !out.destroyed) out.write(`${JSON.stringify(event)}\n`);
}
