/** Percentiles and a one-line report, shared by the bench scripts. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function report(name: string, samplesMs: number[]): string {
  const s = [...samplesMs].sort((a, b) => a - b);
  const f = (n: number) => n.toFixed(2);
  return `${name}: n=${s.length} p50=${f(percentile(s, 50))} ms p90=${f(percentile(s, 90))} ms p99=${f(percentile(s, 99))} ms min=${f(s[0]!)} ms max=${f(s.at(-1)!)} ms`;
}

export async function time<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const out = await fn();
  return [performance.now() - t0, out];
}
