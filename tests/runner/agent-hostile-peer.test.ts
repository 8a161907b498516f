import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentClient, AgentConnectionError, MAX_LIST_ENTRIES } from '@/runner/agent/client';
import { encodeFrame, encodeTlvs, Frame, FrameDecoder } from '@/runner/agent/protocol';

/**
 * The agent runs inside the sandbox, whose root can replace it (ptrace it, or serve its socket
 * itself). Whatever such a peer sends, the runner's client must fail the one call cleanly —
 * never throw out of an event handler (that would take the whole runner down), never hang.
 */
describe('agent client against a hostile peer', () => {
  let dir: string;
  let sock: string;
  let server: net.Server;
  /** What the peer answers to the first frame of each connection. */
  let answer: (type: number, c: net.Socket) => void = () => {};
  const uncaught: unknown[] = [];
  const onUncaught = (err: unknown) => uncaught.push(err);

  beforeAll(async () => {
    process.on('uncaughtException', onUncaught);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-hostile-'));
    sock = path.join(dir, 'agent.sock');
    server = net.createServer((c) => {
      c.on('error', () => {});
      const d = new FrameDecoder();
      let first = true;
      c.on('data', (chunk) => {
        for (const f of d.push(chunk)) {
          if (first) answer(f.type, c);
          first = false;
        }
      });
    });
    await new Promise<void>((res) => server.listen(sock, res));
  });
  afterAll(() => {
    process.off('uncaughtException', onUncaught);
    server?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const client = () => AgentClient.forSocket(sock, { idleMs: 300 });
  const started = encodeFrame(Frame.STARTED, Buffer.from([0, 0, 0, 42]));

  it('a malformed EXIT fails the exec, not the runner', async () => {
    answer = (_t, c) => c.write(Buffer.concat([started, encodeFrame(Frame.EXIT, Buffer.from([1, 2, 3]))]));
    await expect(client().exec({ argv: ['true'] })).rejects.toThrow(/malformed frame/);
  });

  it('a malformed EXIT on a started process closes it with an error', async () => {
    answer = (_t, c) => {
      c.write(started);
      setTimeout(() => c.write(encodeFrame(Frame.EXIT, Buffer.from([9]))), 20);
    };
    const p = await client().spawn({ argv: ['sh'] });
    const closed = await new Promise<Error | null>((res) => p.on('close', res));
    expect(closed).toBeInstanceOf(AgentConnectionError);
    expect(p.exit).toBeNull();
  });

  it('malformed entries, short STARTED frames and bad PROCS answers are errors', async () => {
    answer = (_t, c) => c.write(encodeFrame(Frame.ENTRY, Buffer.from([1, 0, 0, 0, 200, 65])));
    await expect(client().list('/')).rejects.toBeInstanceOf(AgentConnectionError);
    answer = (_t, c) => c.write(encodeFrame(Frame.STARTED, Buffer.from([0, 1, 2])));
    await expect(client().spawn({ argv: ['sh'] })).rejects.toBeInstanceOf(AgentConnectionError);
    await expect(client().attach(7)).rejects.toBeInstanceOf(AgentConnectionError);
    answer = (_t, c) => c.write(encodeFrame(Frame.DATA, Buffer.from([0, 0, 0, 1, 2])));
    await expect(client().detachedPids()).rejects.toBeInstanceOf(AgentConnectionError);
    // An oversized frame header.
    answer = (_t, c) => c.write(Buffer.from([Frame.ENTRY, 0x7f, 0xff, 0xff, 0xff]));
    await expect(client().stat('/')).rejects.toBeInstanceOf(AgentConnectionError);
    expect(encodeTlvs([])).toHaveLength(0);
  });

  it('a flood is bounded: PROCS answers, directory listings and 1-byte output frames', async () => {
    // More than one PROCS frame, or more pids than a sandbox can have, is a hostile agent.
    const pids = (n: number) => Buffer.concat(Array.from({ length: n }, (_, i) => Buffer.from([0, 0, (i >> 8) & 255, (i & 255) + 1])));
    answer = (_t, c) => c.write(Buffer.concat([encodeFrame(Frame.DATA, pids(10)), encodeFrame(Frame.DATA, pids(10)), encodeFrame(Frame.OK)]));
    await expect(client().detachedPids()).rejects.toBeInstanceOf(AgentConnectionError);
    answer = (_t, c) => c.write(Buffer.concat([encodeFrame(Frame.DATA, pids(5000)), encodeFrame(Frame.OK)]));
    await expect(client().detachedPids()).rejects.toBeInstanceOf(AgentConnectionError);
    // A listing that never ends is cut at MAX_LIST_ENTRIES, with a clear error.
    const entry = encodeFrame(Frame.ENTRY, encodeTlvs([[1, 'f'], [2, 'f']]));
    answer = (_t, c) => {
      const write = (left: number): void => {
        if (left <= 0 || c.destroyed) return;
        const ok = c.write(Buffer.concat(Array.from({ length: 1000 }, () => entry)));
        if (ok) setImmediate(() => write(left - 1000));
        else c.once('drain', () => write(left - 1000));
      };
      write(MAX_LIST_ENTRIES + 5000);
    };
    await expect(client().list('/big')).rejects.toThrow(/more than 100000 entries/);
    // 200,000 one-byte output frames: the result is exact (and kept in one buffer, not 200,000).
    answer = (_t, c) => {
      const one = encodeFrame(Frame.STDOUT, Buffer.from('x'));
      c.write(Buffer.concat([started, ...Array.from({ length: 200_000 }, () => one), encodeFrame(Frame.EXIT, Buffer.alloc(8))]));
    };
    const r = await client().exec({ argv: ['yes'] });
    expect(r.stdout.length).toBe(200_000);
    expect(r.exitCode).toBe(0);
  });

  it('a peer that never answers fails file calls and starts after the idle timeout', async () => {
    answer = () => {};
    const t0 = Date.now();
    await expect(client().stat('/etc')).rejects.toThrow(/did not answer/);
    await expect(client().list('/etc')).rejects.toThrow(/did not answer/);
    await expect(client().spawn({ argv: ['sh'] })).rejects.toThrow(/did not answer/);
    await expect(client().attach(5)).rejects.toThrow(/did not answer/);
    await expect(client().readFile('/etc/passwd')).rejects.toThrow(/did not answer/);
    expect(Date.now() - t0).toBeLessThan(5000);
    // A silent exec is bounded by its own timeout (commands may be silent for long).
    const r = await client().exec({ argv: ['sleep', '100'], timeoutMs: 200 });
    expect(r).toMatchObject({ timedOut: true, exitCode: -1 });
  });

  it('a dial answered with anything but OK or a short ERR fails, bounded in time and memory', async () => {
    // A huge ERR header: refused at the header, not buffered up to its claimed size.
    answer = (_t, c) => c.write(Buffer.from([Frame.ERR, 0x00, 0x10, 0x00, 0x00]));
    await expect(client().dial(80, 300)).rejects.toThrow(/other than OK or ERR/);
    answer = (_t, c) => c.write(encodeFrame(Frame.STDOUT, Buffer.from('x')));
    await expect(client().dial(80, 300)).rejects.toThrow(/other than OK or ERR/);
    answer = (_t, c) => c.write(encodeFrame(Frame.OK, Buffer.from('payload')));
    await expect(client().dial(80, 300)).rejects.toThrow(/other than OK or ERR/);
    answer = () => {};
    await expect(client().dial(80, 300)).rejects.toThrow(/did not answer the dial/);
    answer = (_t, c) => c.end();
    await expect(client().dial(80, 300)).rejects.toThrow(/closed the connection/);
    await expect(client().dial(0)).rejects.toThrow(TypeError);
    await expect(client().dial(65536)).rejects.toThrow(TypeError);
  });

  it("after a dial's OK, every byte (frame-like or not) is the port's own, passed on untouched", async () => {
    const fake = encodeFrame(Frame.EXIT, Buffer.alloc(8));
    answer = (t, c) => {
      expect(t).toBe(Frame.DIAL);
      c.write(Buffer.concat([encodeFrame(Frame.OK), fake]));
      c.end('tail');
    };
    const s = await client().dial(80, 300);
    const got: Buffer[] = [];
    for await (const chunk of s) got.push(chunk as Buffer);
    expect(Buffer.concat(got)).toEqual(Buffer.concat([fake, Buffer.from('tail')]));
  });

  it('nothing escaped into the event loop', () => {
    expect(uncaught).toEqual([]);
  });
});
