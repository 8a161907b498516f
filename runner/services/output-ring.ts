export type OutputStream = 'stdout' | 'stderr';
export type OutputChunk = { stream: OutputStream; data: Buffer };

/** Small frames are packed into blocks of this size: a process printing one byte per frame must
 * not cost an object per byte (a 256 KiB ring of 1-byte chunks took ~44 MB). */
const BLOCK = 4096;

type Block = { stream: OutputStream; buf: Buffer; start: number; end: number };

/**
 * Bounded history of a process's output, oldest bytes evicted first, so a viewer that
 * (re)connects sees the recent screen without the runner keeping everything ever printed.
 * A single chunk larger than the whole ring keeps only its tail.
 */
export class OutputRing {
  private blocks: Block[] = [];
  private head = 0;
  private size = 0;

  constructor(private readonly capacity: number) {}

  push(stream: OutputStream, data: Buffer): void {
    if (this.capacity <= 0 || data.length === 0) return;
    const src = data.length > this.capacity ? data.subarray(data.length - this.capacity) : data;
    const last = this.blocks.length > this.head ? this.blocks.at(-1)! : undefined;
    if (last && last.stream === stream && last.end + src.length <= last.buf.length) {
      src.copy(last.buf, last.end); // same stream, room left in the open block
      last.end += src.length;
    } else {
      // Copy: the agent client may reuse or slice a larger frame buffer we must not pin.
      const buf = Buffer.allocUnsafe(Math.max(BLOCK, src.length));
      src.copy(buf);
      this.blocks.push({ stream, buf, start: 0, end: src.length });
    }
    this.size += src.length;
    while (this.size > this.capacity) {
      const first = this.blocks[this.head]!;
      const excess = this.size - this.capacity;
      const len = first.end - first.start;
      if (len <= excess) {
        this.size -= len;
        this.head++;
      } else {
        first.start += excess;
        this.size -= excess;
      }
    }
    // Compact the array now and then instead of shifting on every eviction.
    if (this.head > 1024 && this.head * 2 > this.blocks.length) {
      this.blocks = this.blocks.slice(this.head);
      this.head = 0;
    }
  }

  /** The retained output, oldest first, in chunks of one stream each. */
  snapshot(): OutputChunk[] {
    return this.blocks.slice(this.head).map((b) => ({ stream: b.stream, data: b.buf.subarray(b.start, b.end) }));
  }

  /** All retained bytes of one stream (or all), concatenated: the replay a terminal gets. */
  bytes(stream?: OutputStream): Buffer {
    const parts = this.snapshot()
      .filter((c) => !stream || c.stream === stream)
      .map((c) => c.data);
    return Buffer.concat(parts);
  }

  get length(): number {
    return this.size;
  }
}
