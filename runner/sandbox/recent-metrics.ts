/** One point of a sandbox's recent history: CPU use over the interval before `at`, memory at `at`. */
export type MetricsSample = { at: string; cpuPercent: number; memoryBytes: number };

/**
 * The last `keepMs` of each live sandbox's CPU and memory, sampled every few seconds, so the
 * console's chart opens with recent history instead of starting empty. In memory only: history is
 * a view, not a record (the metering journal keeps what is billed), so a runner restart starts it
 * afresh. CPU is turned from the cgroup's cumulative seconds into a percentage of one vCPU here,
 * where consecutive samples are known.
 */
export class RecentMetrics {
  private readonly series = new Map<string, MetricsSample[]>();
  private readonly last = new Map<string, { atMs: number; cpuSeconds: number }>();

  constructor(private readonly keepMs = 30 * 60_000) {}

  record(key: string, atMs: number, cpuSeconds: number, memoryBytes: number): void {
    const prev = this.last.get(key);
    this.last.set(key, { atMs, cpuSeconds });
    if (!prev || atMs <= prev.atMs || cpuSeconds < prev.cpuSeconds) return; // first sample, or a restart reset the counter
    const cpuPercent = Math.round(((cpuSeconds - prev.cpuSeconds) / ((atMs - prev.atMs) / 1000)) * 1000) / 10;
    const points = this.series.get(key) ?? [];
    points.push({ at: new Date(atMs).toISOString(), cpuPercent, memoryBytes });
    const oldest = atMs - this.keepMs;
    while (points.length && Date.parse(points[0]!.at) < oldest) points.shift();
    this.series.set(key, points);
  }

  /** Samples newer than `sinceMs` (all kept ones without it), oldest first. */
  since(key: string, sinceMs?: number): MetricsSample[] {
    const points = this.series.get(key) ?? [];
    return sinceMs === undefined ? [...points] : points.filter((p) => Date.parse(p.at) > sinceMs);
  }

  /** A stopped sandbox's line breaks: its next start begins a new run of samples. */
  pause(key: string): void {
    this.last.delete(key);
  }

  forget(key: string): void {
    this.series.delete(key);
    this.last.delete(key);
  }

  keys(): string[] {
    return [...this.series.keys()];
  }
}
