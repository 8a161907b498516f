/**
 * Exact-length reads over an async stream of chunks (a decompressed layer): the tar parser asks
 * for a 512-byte header or a file's bytes, never more than it needs, so memory stays bounded
 * whatever the layer's size.
 */
export class ChunkReader {
  private buf: Buffer = Buffer.alloc(0);
  private done = false;
  private readonly it: AsyncIterator<Buffer>;

  constructor(source: AsyncIterable<Buffer>) {
    this.it = source[Symbol.asyncIterator]();
  }

  private async fill(min: number): Promise<boolean> {
    while (this.buf.length < min && !this.done) {
      const next = await this.it.next();
      if (next.done) this.done = true;
      else this.buf = this.buf.length ? Buffer.concat([this.buf, next.value]) : next.value;
    }
    return this.buf.length >= min;
  }

  /** Exactly n bytes, or null at a clean end of stream (nothing left). Throws on a short read. */
  async read(n: number): Promise<Buffer | null> {
    if (!(await this.fill(n))) {
      if (this.buf.length === 0) return null;
      throw new Error('the layer ends in the middle of an entry (truncated or corrupt)');
    }
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }

  /** Hands `n` bytes to `sink` in the chunks they arrived in. */
  async forEach(n: number, sink: (chunk: Buffer) => void): Promise<void> {
    let left = n;
    while (left > 0) {
      if (!(await this.fill(1))) throw new Error('the layer ends in the middle of a file (truncated or corrupt)');
      const take = Math.min(left, this.buf.length);
      sink(this.buf.subarray(0, take));
      this.buf = this.buf.subarray(take);
      left -= take;
    }
  }

  /** Reads (and drops) whatever is left: the layer's digest covers the padding after the end. */
  async drain(): Promise<void> {
    this.buf = Buffer.alloc(0);
    while (!this.done) {
      const next = await this.it.next();
      if (next.done) this.done = true;
    }
  }
}
