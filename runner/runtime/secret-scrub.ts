import { Transform, type TransformCallback } from 'node:stream';

/** Each `from` is replaced by its `to` (the real value by the placeholder the sandbox sent). */
export type Replacement = { from: Buffer; to: Buffer };

/**
 * Replaces every occurrence of each `from` in a byte stream, also across chunk boundaries: the
 * last (longest needle − 1) bytes of each chunk are held back until the next one shows whether a
 * match starts there. Used on the bodies of responses to intercepted requests, so an upstream
 * that echoes a request header cannot hand the real value back into the sandbox.
 */
export class ScrubStream extends Transform {
  private pending: Buffer = Buffer.alloc(0);
  private readonly keep: number;

  constructor(private readonly reps: Replacement[]) {
    super();
    this.keep = Math.max(0, ...reps.map((r) => r.from.length)) - 1;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    const buf: Buffer = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const { out, rest } = scrub(buf, this.reps, this.keep);
    this.pending = rest;
    if (out.length) this.push(out);
    done();
  }

  override _flush(done: TransformCallback): void {
    if (this.pending.length) this.push(this.pending);
    this.pending = Buffer.alloc(0);
    done();
  }
}

/** Replaces what it can in `buf`; `rest` is the tail that could still begin a match. */
export function scrub(buf: Buffer, reps: Replacement[], keep: number): { out: Buffer; rest: Buffer } {
  const parts: Buffer[] = [];
  let i = 0;
  for (;;) {
    let at = -1;
    let hit: Replacement | undefined;
    for (const r of reps) {
      const p = buf.indexOf(r.from, i);
      if (p !== -1 && (at === -1 || p < at || (p === at && r.from.length > hit!.from.length))) {
        at = p;
        hit = r;
      }
    }
    if (!hit) break;
    parts.push(buf.subarray(i, at), hit.to);
    i = at + hit.from.length;
  }
  const safe = Math.max(i, buf.length - keep);
  parts.push(buf.subarray(i, safe));
  return { out: Buffer.concat(parts), rest: Buffer.from(buf.subarray(safe)) };
}

/** The same on a header value (a string, as Node gives them). */
export function scrubText(s: string, reps: Replacement[]): string {
  if (!reps.length) return s;
  const b = Buffer.from(s, 'latin1');
  return scrub(b, reps, 0).out.toString('latin1');
}
