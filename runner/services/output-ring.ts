export type OutputStream = 'stdout' | 'stderr';
export type OutputChunk = { stream: OutputStream; data: Buffer };

/**
 * Bounded history of a process's output, oldest chunks evicted first, so a viewer that
 * (re)connects sees the recent screen without the runner keeping everything ever printed.
 * A single chunk larger than the whole ring keeps only its tail.
 */
export class OutputRing {
  private chunks: OutputChunk[] = [];
  private head = 0;
  private size = 0;

  constructor(private readonly capacity: number) {}

  push(stream: OutputStream, data: Buffer): void {
    if (this.capacity <= 0 || data.length === 0) return;
    // Copy: the agent client may reuse or slice a larger frame buffer we must not pin.
    const own = Buffer.from(data.length > this.capacity ? data.subarray(data.length - this.capacity) : data);
    this.chunks.push({ stream, data: own });
    this.size += own.length;
    while (this.size > this.capacity) {
      const first = this.chunks[this.head]!;
      const excess = this.size - this.capacity;
      if (first.data.length <= excess) {
        this.size -= first.data.length;
        this.head++;
      } else {
        first.data = first.data.subarray(excess);
        this.size -= excess;
      }
    }
    // Compact the array now and then instead of shifting on every eviction.
    if (this.head > 1024 && this.head * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
  }

  /** The retained chunks, oldest first. */
  snapshot(): OutputChunk[] {
    return this.chunks.slice(this.head);
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
