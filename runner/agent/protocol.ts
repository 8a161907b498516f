/**
 * Wire protocol of warren-agent (runner/native): frames `[u8 type][u32 BE length][payload]` on a
 * byte stream, payload ≤ 1 MiB; request parameters are TLVs `[u8 tag][u32 BE length][bytes]`.
 */

export const MAX_PAYLOAD = 1 << 20;

export const Frame = {
  SPAWN: 0x01,
  STDIN: 0x02,
  STDIN_EOF: 0x03,
  RESIZE: 0x04,
  SIGNAL: 0x05,
  ATTACH: 0x06,
  /** Request: the pids of detached processes (DATA: u32 BE each, then OK). */
  PROCS: 0x07,
  /** Request: TCP to 127.0.0.1:<port> inside the sandbox (OK, then raw bytes both ways; or ERR). */
  DIAL: 0x08,
  STARTED: 0x10,
  STDOUT: 0x11,
  STDERR: 0x12,
  EXIT: 0x13,
  FS_LIST: 0x20,
  FS_STAT: 0x21,
  FS_READ: 0x22,
  FS_WRITE: 0x23,
  FS_MKDIR: 0x24,
  FS_REMOVE: 0x25,
  FS_RENAME: 0x26,
  /** Request: inotify events of a directory until hang-up (OK once armed, then WATCH_EVENTs). */
  FS_WATCH: 0x27,
  ENTRY: 0x30,
  DATA: 0x31,
  DATA_END: 0x32,
  /** [u8 kind][name relative to the watched directory]. */
  WATCH_EVENT: 0x33,
  ERR: 0x3e,
  OK: 0x3f,
  /** Request (TLV 1: port): hold 127.0.0.1:port in the sandbox for the egress relay; OK, then until hang-up. */
  EGRESS_LISTEN: 0x40,
  /** Request: wait for one connection on that port; OK, then raw bytes both ways (runner/runtime/egress-relay.ts). */
  EGRESS_STREAM: 0x41,
} as const;

/** TLV tags of SPAWN. */
export const SpawnTag = { ARGV: 1, ENV: 2, CWD: 3, UID: 4, GID: 5, PTY: 6, DETACH: 7, RING: 8 } as const;
/** TLV tags of DIAL. */
export const DialTag = { PORT: 1 } as const;
/** TLV tags of FS_* requests. */
export const FsTag = { PATH: 1, PATH2: 2, UID: 4, GID: 5, MODE: 6, FLAGS: 7 } as const;
/** TLV tags of ENTRY responses. */
export const EntryTag = { NAME: 1, TYPE: 2, SIZE: 3, MODE: 4, MTIME: 5, TARGET: 6, UID: 7, GID: 8 } as const;

export type Tlv = [tag: number, value: string | Buffer];

export function encodeFrame(type: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  if (payload.length > MAX_PAYLOAD) throw new RangeError(`frame payload ${payload.length} > ${MAX_PAYLOAD}`);
  const h = Buffer.allocUnsafe(5);
  h[0] = type;
  h.writeUInt32BE(payload.length, 1);
  return payload.length ? Buffer.concat([h, payload]) : h;
}

export function encodeTlvs(items: Tlv[]): Buffer {
  const parts: Buffer[] = [];
  for (const [tag, value] of items) {
    const v = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
    const h = Buffer.allocUnsafe(5);
    h[0] = tag;
    h.writeUInt32BE(v.length, 1);
    parts.push(h, v);
  }
  return Buffer.concat(parts);
}

export function decodeTlvs(payload: Buffer): Map<number, Buffer[]> {
  const out = new Map<number, Buffer[]>();
  let pos = 0;
  while (pos < payload.length) {
    if (payload.length - pos < 5) throw new Error('malformed TLV');
    const tag = payload[pos];
    const len = payload.readUInt32BE(pos + 1);
    if (len > payload.length - pos - 5) throw new Error('malformed TLV');
    const v = payload.subarray(pos + 5, pos + 5 + len);
    const list = out.get(tag);
    if (list) list.push(v);
    else out.set(tag, [v]);
    pos += 5 + len;
  }
  return out;
}

export function u32(n: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(n >>> 0, 0);
  return b;
}

export function i32(n: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeInt32BE(n | 0, 0);
  return b;
}

/** Incremental frame decoder: feed it arbitrary chunks, get whole frames. */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;

  /** Returns the frames completed by this chunk; throws on an oversized frame. */
  push(chunk: Buffer): Array<{ type: number; payload: Buffer }> {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: Array<{ type: number; payload: Buffer }> = [];
    while (this.buffered >= 5) {
      const head = this.peek(5);
      const len = head.readUInt32BE(1);
      if (len > MAX_PAYLOAD) throw new Error(`agent frame too large: ${len}`);
      if (this.buffered < 5 + len) break;
      const all = this.take(5 + len);
      frames.push({ type: all[0], payload: all.subarray(5) });
    }
    return frames;
  }

  get pending(): number {
    return this.buffered;
  }

  private peek(n: number): Buffer {
    if (this.chunks[0].length < n) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0];
  }

  private take(n: number): Buffer {
    const first = this.chunks[0];
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      const all = Buffer.concat(this.chunks);
      out = all.subarray(0, n);
      this.chunks = all.length > n ? [all.subarray(n)] : [];
    }
    this.buffered -= n;
    return out;
  }
}
