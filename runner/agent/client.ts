import { spawn as spawnChild } from 'node:child_process';
import net from 'node:net';
import { Duplex, Readable } from 'node:stream';
import { Channel } from './channel';
import { AgentConnectionError, AgentLimitError, decodeErr } from './errors';
import { type FsEntry, decodeEntry } from './entry';
import { AgentProcess, type ExitInfo, decodeExit } from './process';
import { DialTag, FsTag, Frame, SpawnTag, type Tlv, encodeFrame, encodeTlvs, i32, u32 } from './protocol';

export { AgentConnectionError, AgentFsError, AgentLimitError } from './errors';
export type { FsEntry } from './entry';
export { AgentProcess, type ExitInfo } from './process';

/** Ids inside the sandbox a request runs as (the agent switches to them before acting). */
export type Who = { uid: number; gid: number };

export type ExecOptions = {
  argv: string[];
  /** The complete environment (nothing is inherited). */
  env?: Record<string, string>;
  cwd?: string;
  uid?: number;
  gid?: number;
  stdin?: Buffer | string;
  timeoutMs?: number;
  /** Per stream; beyond it output is read and dropped and `truncated` is set. Default 10 MiB. */
  maxOutputBytes?: number;
  signal?: AbortSignal;
  /** Each stdout/stderr chunk as it arrives (in arrival order), besides the collected result. */
  onOutput?: (chunk: Buffer) => void;
};

export type ExecResult = {
  exitCode: number;
  signal: number;
  stdout: Buffer;
  stderr: Buffer;
  truncated: boolean;
  timedOut: boolean;
  durationMs: number;
};

export type SpawnOptions = {
  argv: string[];
  env?: Record<string, string>;
  cwd?: string;
  uid?: number;
  gid?: number;
  pty?: { cols: number; rows: number };
  /** Keep running when the connection drops; re-attach with `attach(pid)`. */
  detach?: boolean;
  /** Ring buffer replayed on attach (detached only). Default 256 KiB, max 4 MiB. */
  ringBytes?: number;
};

export type WriteOptions = { mode?: number; parents?: boolean; exclusive?: boolean; maxBytes?: number };

const SIGKILL = 9;
const KILL_GRACE_MS = 2000;
const DATA_CHUNK = 256 * 1024;
/** A file call (or a start) with no byte from the agent for this long is abandoned: an agent the
 * sandbox has replaced or wedged must not hold a runner request forever. */
export const AGENT_IDLE_MS = 30_000;
/** The agent's answer to a DIAL (its connect to a loopback port included) must come this fast. */
export const DIAL_TIMEOUT_MS = 5000;
/** The agent's ERR for a DIAL is a few dozen bytes; a longer one is not from our agent. */
const MAX_DIAL_ERR = 4096 + 8;
/** A directory listing keeps at most this many entries in the runner's memory. */
export const MAX_LIST_ENTRIES = 100_000;
const MAX_PIDS = 4096;
/** Watch events buffered for a reader that has not taken them yet; more ends the watch. */
const MAX_WATCH_BACKLOG = 10_000;
/** E2B's EventType order, which the agent's kinds (1–5) follow. */
const WATCH_KINDS = ['create', 'write', 'remove', 'rename', 'chmod'] as const;
export type WatchEvent = { kind: (typeof WATCH_KINDS)[number]; name: string };

function spawnTlvs(o: SpawnOptions): Tlv[] {
  if (o.argv.length === 0) throw new TypeError('argv must not be empty');
  const t: Tlv[] = o.argv.map((a) => [SpawnTag.ARGV, a] as Tlv);
  for (const [k, v] of Object.entries(o.env ?? {})) t.push([SpawnTag.ENV, `${k}=${v}`]);
  if (o.cwd !== undefined) t.push([SpawnTag.CWD, o.cwd]);
  if (o.uid !== undefined) t.push([SpawnTag.UID, String(o.uid)]);
  if (o.gid !== undefined) t.push([SpawnTag.GID, String(o.gid)]);
  if (o.pty) t.push([SpawnTag.PTY, `${o.pty.cols},${o.pty.rows}`]);
  if (o.detach) t.push([SpawnTag.DETACH, '1']);
  if (o.ringBytes !== undefined) t.push([SpawnTag.RING, String(o.ringBytes)]);
  return t;
}

function fsTlvs(path: string, who?: Who, extra: Tlv[] = []): Tlv[] {
  const t: Tlv[] = [[FsTag.PATH, path]];
  if (who) t.push([FsTag.UID, String(who.uid)], [FsTag.GID, String(who.gid)]);
  return t.concat(extra);
}

/** Adapts a child process's stdio to a Duplex; its stderr becomes the error when it fails. */
function childDuplex(bin: string, args: string[]): Duplex {
  const child = spawnChild(bin, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => {
    if (stderr.length < 8192) stderr += c.toString();
  });
  const dup = new Duplex({
    read() {
      child.stdout.resume();
    },
    write(chunk, _enc, cb) {
      child.stdin.write(chunk, () => cb()); // EPIPE surfaces as the child's exit, not here
    },
    final(cb) {
      child.stdin.end();
      cb();
    },
    destroy(err, cb) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      cb(err);
    },
  });
  child.stdin.on('error', () => {});
  child.stdout.on('data', (c: Buffer) => {
    if (!dup.push(c)) child.stdout.pause();
  });
  child.on('error', (err) => dup.destroy(err));
  child.on('close', (code, sig) => {
    if (code === 0) dup.push(null);
    else dup.destroy(new Error(stderr.trim() || `warren-agent exited with ${code ?? sig}`));
  });
  return dup;
}

export type AgentClientOptions = {
  /** A file call or a start with no byte moving either way for this long fails. Default 30 s. */
  idleMs?: number;
  /**
   * Keep one connection open ahead of the next call (a sandbox's agent socket, not `once`).
   * The agent forks a handler per connection, and connecting plus that fork were ~0.7 ms of a
   * 2 ms exec on a 2-core VM: a spare made after each call takes them off the next one.
   */
  keepSpare?: boolean;
};

/** A spare connection nobody took for this long is closed (its handler is a process in the sandbox). */
const SPARE_IDLE_MS = 30_000;
const SPARE_EVENTS = ['data', 'end', 'error', 'close'] as const;

export class AgentClient {
  private readonly idleMs: number;
  private readonly keepSpare: boolean;
  private spare: { stream: Duplex; timer: NodeJS.Timeout; release: () => void } | null = null;
  /** The spare's connect while it is on its way (a claimed pool member's waits for its rename). */
  private sparing: Promise<void> | null = null;
  private closed = false;

  constructor(
    private readonly connect: () => Duplex | Promise<Duplex>,
    opts: AgentClientOptions = {},
  ) {
    this.idleMs = opts.idleMs ?? AGENT_IDLE_MS;
    this.keepSpare = opts.keepSpare ?? false;
  }

  /** Opens the spare connection now (a sandbox that was just made gets its first call soon). */
  warm(): void {
    if (this.keepSpare) this.makeSpare();
  }

  /** Closes the spare connection; later calls connect each time. */
  close(): void {
    this.closed = true;
    this.takeSpare()?.destroy();
  }

  private makeSpare(): void {
    if (this.closed || this.spare || this.sparing) return;
    this.sparing = Promise.resolve()
      .then(() => this.connect())
      .then(
        (stream) => {
          this.sparing = null;
          if (this.closed || this.spare) return void stream.destroy();
          // Read while it waits, so an end is seen at once: an agent never speaks first, so any
          // byte, an end, an error or a close (the sandbox stopped, its root killed the handler)
          // all mean there is no spare.
          const drop = () => {
            clearTimeout(timer);
            release();
            if (this.spare?.stream === stream) this.spare = null;
            stream.destroy();
          };
          const release = () => {
            for (const event of SPARE_EVENTS) stream.off(event, drop);
          };
          const timer = setTimeout(drop, SPARE_IDLE_MS);
          timer.unref();
          for (const event of SPARE_EVENTS) stream.on(event, drop);
          this.spare = { stream, timer, release };
        },
        () => {
          this.sparing = null;
        },
      );
  }

  /** The spare connection, paused and with its waiting listeners removed, or null. */
  private takeSpare(): Duplex | null {
    const spare = this.spare;
    this.spare = null;
    if (!spare) return null;
    clearTimeout(spare.timer);
    spare.release();
    spare.stream.pause(); // until the caller's listeners are on it
    return spare.stream;
  }

  /** The agent of a running sandbox, through its socket in the runner-private ctl dir. */
  static forSocket(path: string, opts?: AgentClientOptions): AgentClient {
    return new AgentClient(() => net.createConnection(path), opts);
  }

  /**
   * A one-shot agent on the host, chrooted into rootDir (a stopped sandbox's mounted rootfs or a
   * snapshot). With uidBase, request ids are the sandbox's and are shifted into its host range.
   */
  static forOnce(agentBinary: string, rootDir: string, opts: { uidBase?: number; count?: number; idleMs?: number } = {}): AgentClient {
    const args = ['once', '--root', rootDir];
    if (opts.uidBase !== undefined) args.push('--uid-base', String(opts.uidBase));
    if (opts.count !== undefined) args.push('--count', String(opts.count));
    return new AgentClient(() => childDuplex(agentBinary, args), { idleMs: opts.idleMs });
  }

  private async open(type: number, tlvs: Tlv[] | Buffer, idle = false): Promise<Channel> {
    const payload = Buffer.isBuffer(tlvs) ? tlvs : encodeTlvs(tlvs);
    // A spare on its way is waited for rather than a second connection made beside it: both
    // would wait for the same thing, and the agent would fork a handler for each.
    if (!this.spare && this.sparing) await this.sparing;
    const spare = this.takeSpare();
    const sent = spare && (await sendFirst(spare, encodeFrame(type, payload)));
    if (spare && !sent) spare.destroy();
    const ch = new Channel(sent ? spare : await this.connect(), idle ? this.idleMs : 0);
    if (sent) spare.resume();
    else ch.send(type, payload);
    // The next spare once this call is over, so making it never competes with the call itself.
    if (this.keepSpare) ch.once('done', () => this.makeSpare());
    return ch;
  }

  /** Runs a command to completion, collecting bounded output. */
  async exec(o: ExecOptions): Promise<ExecResult> {
    const started = performance.now();
    const max = o.maxOutputBytes ?? 10 * 1024 * 1024;
    if (o.signal?.aborted) throw o.signal.reason;
    const ch = await this.open(Frame.SPAWN, spawnTlvs(o));
    if (o.stdin !== undefined) {
      let buf = typeof o.stdin === 'string' ? Buffer.from(o.stdin) : o.stdin;
      while (buf.length > 0) {
        ch.send(Frame.STDIN, buf.subarray(0, DATA_CHUNK));
        buf = buf.subarray(DATA_CHUNK);
      }
    }
    ch.send(Frame.STDIN_EOF); // a command reading stdin sees EOF instead of hanging

    return new Promise<ExecResult>((resolve, reject) => {
      // Growing buffers, not a list of frames: a command printing one byte per frame must not
      // cost an object per byte.
      const out = new ByteSink(max);
      const err = new ByteSink(max);
      let truncated = false;
      let timedOut = false;
      let exit: ExitInfo | null = null;
      let timer: NodeJS.Timeout | undefined;
      let grace: NodeJS.Timeout | undefined;

      const cleanup = () => {
        clearTimeout(timer);
        clearTimeout(grace);
        o.signal?.removeEventListener('abort', onAbort);
      };
      const finish = () => {
        cleanup();
        resolve({
          exitCode: exit?.exitCode ?? -1,
          signal: exit?.signal ?? (timedOut ? SIGKILL : 0),
          stdout: out.bytes(),
          stderr: err.bytes(),
          truncated,
          timedOut,
          durationMs: performance.now() - started,
        });
      };
      const onAbort = () => {
        cleanup();
        reject(o.signal?.reason ?? new Error('aborted'));
        ch.destroy(); // the agent kills the process group when its client goes away
      };
      o.signal?.addEventListener('abort', onAbort, { once: true });
      if (o.timeoutMs !== undefined && o.timeoutMs > 0) {
        timer = setTimeout(() => {
          timedOut = true;
          ch.send(Frame.SIGNAL, i32(SIGKILL));
          // If the agent cannot even deliver EXIT (e.g. stdin backlog), give up on the connection.
          grace = setTimeout(() => {
            ch.destroy();
          }, KILL_GRACE_MS);
        }, o.timeoutMs);
      }

      ch.on('frame', (type: number, payload: Buffer) => {
        if (type === Frame.STDOUT || type === Frame.STDERR) {
          o.onOutput?.(payload);
          if (!(type === Frame.STDOUT ? out : err).push(payload)) truncated = true;
        } else if (type === Frame.EXIT) {
          exit = decodeExit(payload);
          ch.destroy();
        } else if (type === Frame.ERR) {
          cleanup();
          ch.destroy();
          reject(decodeErr(payload));
        }
      });
      ch.on('done', (e: Error | null) => {
        if (exit || timedOut) finish();
        else {
          cleanup();
          reject(e ?? new AgentConnectionError('agent closed the connection before the command exited'));
        }
      });
    });
  }

  /** Starts a process and resolves once the agent reports its pid. */
  async spawn(o: SpawnOptions): Promise<AgentProcess> {
    return this.started(await this.open(Frame.SPAWN, spawnTlvs(o), true));
  }

  /**
   * Re-attaches to a detached process by pid: its ring buffer is replayed, then live output
   * follows. The agent reaches the process inside the sandbox; the runner never opens a path
   * there. Rejects with AgentFsError (ENOENT) when no such detached process is left.
   */
  async attach(pid: number): Promise<AgentProcess> {
    if (!Number.isInteger(pid) || pid <= 0 || pid > 4_194_304) throw new TypeError(`invalid process id ${pid}`);
    return this.started(await this.open(Frame.ATTACH, u32(pid), true));
  }

  /**
   * A byte stream to 127.0.0.1:port inside the sandbox, made by the agent in the sandbox's own
   * network stack (gVisor's ports live where no host netns entry reaches). Only a port number
   * goes in; after the agent's OK every byte is the port's own, passed on untouched and never
   * parsed. Rejects with AgentFsError (the agent's connect errno, e.g. ECONNREFUSED) or
   * AgentConnectionError (no answer within timeoutMs, or an answer that is not OK/ERR).
   */
  async dial(port: number, timeoutMs = DIAL_TIMEOUT_MS): Promise<Duplex> {
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new TypeError(`invalid port ${port}`);
    const stream = await this.connect();
    stream.write(encodeFrame(Frame.DIAL, encodeTlvs([[DialTag.PORT, String(port)]])));
    return new Promise<Duplex>((resolve, reject) => {
      let head = Buffer.alloc(0);
      const cleanup = () => {
        clearTimeout(timer);
        stream.off('data', onData);
        stream.off('error', onError);
        stream.off('close', onClose);
      };
      const fail = (err: Error) => {
        cleanup();
        stream.destroy();
        reject(err);
      };
      const onData = (chunk: Buffer) => {
        head = Buffer.concat([head, chunk]);
        if (head.length < 5) return;
        const type = head[0];
        const len = head.readUInt32BE(1);
        if (type === Frame.OK && len === 0) {
          cleanup();
          stream.pause(); // nobody reads yet: the caller's pipe resumes it
          if (head.length > 5) stream.unshift(head.subarray(5));
          resolve(stream);
        } else if (type === Frame.ERR && len <= MAX_DIAL_ERR) {
          if (head.length >= 5 + len) fail(decodeErr(head.subarray(5, 5 + len)));
        } else {
          fail(new AgentConnectionError('the agent answered a dial with something other than OK or ERR'));
        }
      };
      const onError = (err: Error) => fail(new AgentConnectionError(`agent connection: ${err.message}`, { cause: err }));
      const onClose = () => fail(new AgentConnectionError('the agent closed the connection before answering the dial'));
      const timer = setTimeout(() => fail(new AgentConnectionError(`the sandbox agent did not answer the dial within ${timeoutMs} ms`)), timeoutMs);
      stream.on('data', onData);
      stream.on('error', onError);
      stream.on('close', onClose);
    });
  }

  /** Pids of the detached processes the agent still holds (their sockets, as seen inside). */
  async detachedPids(): Promise<number[]> {
    const pids: number[] = [];
    const ch = await this.open(Frame.PROCS, Buffer.alloc(0), true);
    let frames = 0;
    await this.fsCall(ch, (type, payload) => {
      // The agent sends one frame of at most 4096 pids; anything else is a hostile agent.
      if (type !== Frame.DATA || payload.length % 4 !== 0 || ++frames > 1 || payload.length > MAX_PIDS * 4) throw new Error('bad PROCS answer');
      for (let i = 0; i < payload.length; i += 4) pids.push(payload.readUInt32BE(i));
    });
    return pids;
  }

  private started(ch: Channel): Promise<AgentProcess> {
    return new Promise((resolve, reject) => {
      const onFrame = (type: number, payload: Buffer) => {
        off();
        ch.setIdleTimeout(0); // a live process may be silent for as long as it likes
        if (type === Frame.STARTED && payload.length === 4) resolve(new AgentProcess(payload.readUInt32BE(0), ch));
        else {
          ch.destroy();
          reject(
            type === Frame.ERR
              ? decodeErr(payload)
              : new AgentConnectionError(`unexpected frame 0x${type.toString(16)}`),
          );
        }
      };
      const onDone = (e: Error | null) => {
        off();
        reject(e ?? new AgentConnectionError('agent closed the connection before the process started'));
      };
      const off = () => {
        ch.off('frame', onFrame);
        ch.off('done', onDone);
      };
      ch.on('frame', onFrame);
      ch.on('done', onDone);
    });
  }

  /**
   * Sends one file request and resolves on OK; `onFrame` sees ENTRY/DATA frames. ERR rejects with
   * AgentFsError.
   */
  private fsCall(ch: Channel, onFrame?: (type: number, payload: Buffer) => void): Promise<void> {
    return new Promise((resolve, reject) => {
      let settled = false;
      ch.on('frame', (type: number, payload: Buffer) => {
        if (settled) return;
        if (type === Frame.OK) {
          settled = true;
          ch.destroy();
          resolve();
        } else if (type === Frame.ERR) {
          settled = true;
          ch.destroy();
          reject(decodeErr(payload));
        } else onFrame?.(type, payload);
      });
      ch.on('done', (e: Error | null) => {
        if (settled) return;
        settled = true;
        reject(e ?? new AgentConnectionError('agent closed the connection before answering'));
      });
    });
  }

  async list(path: string, who?: Who): Promise<FsEntry[]> {
    const entries: FsEntry[] = [];
    const ch = await this.open(Frame.FS_LIST, fsTlvs(path, who), true);
    let over = false;
    await this.fsCall(ch, (type, payload) => {
      if (type !== Frame.ENTRY) return;
      if (entries.length >= MAX_LIST_ENTRIES) {
        over = true;
        ch.destroy();
        return;
      }
      entries.push(decodeEntry(payload));
    }).catch((err) => {
      throw over ? new AgentLimitError(MAX_LIST_ENTRIES, `the directory has more than ${MAX_LIST_ENTRIES} entries to list`) : err;
    });
    return entries;
  }

  /**
   * Watches a directory (its tree with `recursive`) by inotify inside the sandbox. Resolves once the
   * watches are in place, so every change after that is reported; the events end when `signal`
   * aborts (the agent's handler exits on hang-up), the directory goes, or the agent reports a lost
   * event or too many directories (an AgentFsError: EOVERFLOW, ENOSPC).
   */
  async watch(path: string, opts: { recursive?: boolean; signal?: AbortSignal }, who?: Who): Promise<AsyncGenerator<WatchEvent>> {
    const ch = await this.open(Frame.FS_WATCH, fsTlvs(path, who, opts.recursive ? [[FsTag.FLAGS, 'r']] : []), true);
    const queue: WatchEvent[] = [];
    let ended = false;
    let failure: Error | null = null;
    let wake: (() => void) | null = null;
    const poke = () => {
      wake?.();
      wake = null;
    };
    await new Promise<void>((resolve, reject) => {
      let armed = false;
      ch.on('frame', (type: number, payload: Buffer) => {
        if (!armed) {
          armed = true;
          if (type === Frame.OK) {
            ch.setIdleTimeout(0); // a quiet directory is no sign of a dead agent
            return resolve();
          }
          ch.destroy();
          return reject(type === Frame.ERR ? decodeErr(payload) : new AgentConnectionError(`unexpected frame 0x${type.toString(16)}`));
        }
        if (type === Frame.WATCH_EVENT && payload.length > 1 && payload[0] >= 1 && payload[0] <= 5) {
          // A reader that stopped reading must not grow the runner's memory without end.
          if (queue.length >= MAX_WATCH_BACKLOG) failure = new AgentLimitError(MAX_WATCH_BACKLOG, 'the watcher fell behind: events were dropped');
          else queue.push({ kind: WATCH_KINDS[payload[0] - 1], name: payload.subarray(1).toString('utf8') });
        } else if (type === Frame.ERR) failure = decodeErr(payload);
        else if (type !== Frame.OK) failure = new AgentConnectionError(`unexpected frame 0x${type.toString(16)}`);
        if (failure || type === Frame.OK) ch.destroy();
        poke();
      });
      ch.on('done', (e: Error | null) => {
        ended = true;
        failure ??= e;
        if (!armed) reject(e ?? new AgentConnectionError('agent closed the connection before watching'));
        poke();
      });
    });
    const stop = () => ch.destroy();
    opts.signal?.addEventListener('abort', stop, { once: true });
    // The caller may have left while the agent was still answering: the abort already fired.
    if (opts.signal?.aborted) stop();
    return (async function* () {
      try {
        while (true) {
          if (queue.length) {
            yield queue.shift()!;
            continue;
          }
          if (ended || failure) break;
          await new Promise<void>((r) => (wake = r));
        }
        if (failure && !opts.signal?.aborted) throw failure;
      } finally {
        opts.signal?.removeEventListener('abort', stop);
        ch.destroy();
      }
    })();
  }

  async stat(path: string, who?: Who): Promise<FsEntry> {
    let entry: FsEntry | undefined;
    const ch = await this.open(Frame.FS_STAT, fsTlvs(path, who), true);
    await this.fsCall(ch, (type, payload) => {
      if (type === Frame.ENTRY) entry = decodeEntry(payload);
    });
    if (!entry) throw new AgentConnectionError('agent sent no entry for stat');
    return entry;
  }

  /** Resolves once the file is open (first DATA or OK), so ENOENT/EACCES reject here. */
  async readStream(path: string, who?: Who): Promise<Readable> {
    const ch = await this.open(Frame.FS_READ, fsTlvs(path, who), true);
    return new Promise((resolve, reject) => {
      let opened = false;
      const stream = new Readable({
        read() {
          ch.resume();
        },
        destroy(err, cb) {
          ch.destroy();
          cb(err);
        },
      });
      let complete = false; // OK received: the whole file was sent
      const open = () => {
        if (!opened) {
          opened = true;
          resolve(stream);
        }
      };
      ch.on('frame', (type: number, payload: Buffer) => {
        if (type === Frame.DATA) {
          open();
          if (!stream.push(payload)) ch.pause();
        } else if (type === Frame.OK) {
          open();
          complete = true;
          stream.push(null);
          ch.destroy();
        } else if (type === Frame.ERR) {
          const e = decodeErr(payload);
          complete = true; // answered (with an error): nothing was cut off
          if (opened) stream.destroy(e);
          else {
            opened = true;
            ch.destroy();
            reject(e);
          }
        }
      });
      ch.on('done', (e: Error | null) => {
        if (!opened) {
          opened = true;
          reject(e ?? new AgentConnectionError('agent closed the connection before answering'));
        } else if (!complete && !stream.readableEnded && !stream.destroyed) {
          // Ended without OK: the reader must not mistake a cut-off file for a whole one.
          if (!stream.readableEnded) stream.destroy(e ?? new AgentConnectionError('file read cut off'));
        }
      });
    });
  }

  async readFile(path: string, who?: Who): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const c of await this.readStream(path, who)) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }

  /** Atomic write (temp file + rename). */
  async write(path: string, data: Buffer | string | Readable, opts: WriteOptions = {}, who?: Who): Promise<void> {
    let flags = '';
    if (opts.parents) flags += 'p';
    if (opts.exclusive) flags += 'x';
    const extra: Tlv[] = [];
    if (opts.mode !== undefined) extra.push([FsTag.MODE, (opts.mode & 0o7777).toString(8)]);
    if (flags) extra.push([FsTag.FLAGS, flags]);
    const ch = await this.open(Frame.FS_WRITE, fsTlvs(path, who, extra), true);
    const result = this.fsCall(ch);
    result.catch(() => {}); // observed below; avoid an unhandled rejection while still sending
    const limit = opts.maxBytes ?? Number.POSITIVE_INFINITY;
    let total = 0;
    const source: AsyncIterator<Buffer | string> =
      typeof data === 'string' || Buffer.isBuffer(data) ? oneChunk(data) : (data as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]();
    // The agent may refuse before reading any data (a path it may not write): then the wait for
    // the source's next chunk ends too, or a client that waits for the answer before sending the
    // rest would wait forever (the caller drains what is left of its request).
    const answered = new Promise<typeof ANSWERED>((resolve) => {
      const stop = () => resolve(ANSWERED);
      result.then(stop, stop);
      ch.once('done', stop);
    });
    let read = false;
    try {
      for (;;) {
        const pending = source.next();
        pending.catch(() => {}); // left unread when the agent answered first
        const next = await Promise.race([pending, answered]);
        if (next === ANSWERED) return result;
        if (next.done) {
          read = true;
          break;
        }
        const chunk = next.value;
        let buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        total += buf.length;
        if (total > limit) {
          if (!(typeof data === 'string' || Buffer.isBuffer(data))) data.destroy();
          throw new AgentLimitError(limit);
        }
        while (buf.length > 0) {
          const part = buf.subarray(0, DATA_CHUNK);
          buf = buf.subarray(part.length);
          if (ch.closed) return result; // the agent answered early (an error): report it
          if (!ch.send(Frame.DATA, part)) await drainOrDone(ch);
        }
      }
    } catch (err) {
      // Over the cap, or the source failed (an abandoned upload): the agent sees the connection
      // end before DATA_END and discards its temp file.
      ch.destroy();
      throw err;
    } finally {
      // Left before its end (as `for await` would): a stream source is destroyed.
      if (!read) source.return?.(undefined)?.catch(() => {});
    }
    ch.send(Frame.DATA_END);
    return result;
  }

  async mkdir(path: string, opts: { parents?: boolean; mode?: number } = {}, who?: Who): Promise<void> {
    const extra: Tlv[] = [];
    if (opts.mode !== undefined) extra.push([FsTag.MODE, (opts.mode & 0o7777).toString(8)]);
    if (opts.parents) extra.push([FsTag.FLAGS, 'p']);
    await this.fsCall(await this.open(Frame.FS_MKDIR, fsTlvs(path, who, extra), true));
  }

  async remove(path: string, opts: { recursive?: boolean } = {}, who?: Who): Promise<void> {
    const extra: Tlv[] = opts.recursive ? [[FsTag.FLAGS, 'r']] : [];
    await this.fsCall(await this.open(Frame.FS_REMOVE, fsTlvs(path, who, extra), true));
  }

  async rename(from: string, to: string, who?: Who): Promise<void> {
    await this.fsCall(await this.open(Frame.FS_RENAME, fsTlvs(from, who, [[FsTag.PATH2, to]]), true));
  }
}

/** Bytes up to a cap in one buffer that doubles as it fills; push() says false once it overflowed. */
class ByteSink {
  private buf = Buffer.alloc(0);
  private len = 0;
  constructor(private readonly max: number) {}

  push(b: Buffer): boolean {
    const take = Math.min(b.length, this.max - this.len);
    if (take > 0) {
      if (this.len + take > this.buf.length) {
        const grown = Buffer.allocUnsafe(Math.min(this.max, Math.max(4096, (this.len + take) * 2)));
        this.buf.copy(grown, 0, 0, this.len);
        this.buf = grown;
      }
      b.copy(this.buf, this.len, 0, take);
      this.len += take;
    }
    return take === b.length;
  }

  bytes(): Buffer {
    return this.buf.subarray(0, this.len);
  }
}

function drainOrDone(ch: Channel): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      ch.stream.off('drain', done);
      ch.off('done', done);
      resolve();
    };
    ch.stream.once('drain', done);
    ch.once('done', done);
  });
}

/**
 * Writes a call's first frame on a spare connection: false when the write is refused (EPIPE,
 * ECONNRESET: its handler was gone before anything was sent, so nothing was read and the call
 * goes out on a new connection), true once it is on its way.
 */
function sendFirst(stream: Duplex, frame: Buffer): Promise<boolean> {
  if (stream.destroyed || stream.writableEnded) return Promise.resolve(false);
  // Stays on: the channel that takes the stream hears its errors too, and a refused write's
  // error event must never go unheard.
  stream.on('error', ignoreError);
  return new Promise((resolve) => stream.write(frame, (err) => resolve(!err)));
}

const ignoreError = () => {};

const ANSWERED = Symbol('answered');

async function* oneChunk(data: Buffer | string): AsyncGenerator<Buffer | string> {
  yield data;
}
