/**
 * Interleaves keepalive messages into a quiet stream, as envd does at the interval the clients
 * ask for (`Keepalive-Ping-Interval`, seconds): HTTP clients and proxies cut a response that
 * stays silent too long (undici's body timeout is 5 minutes), and a command may print nothing
 * for longer than that.
 */
export async function* withKeepalive<T>(
  source: AsyncGenerator<T>,
  intervalMs: number,
  keepalive: () => T,
): AsyncGenerator<T> {
  // One timer for the whole stream, re-armed as each wait begins (a command's few events used to
  // cost a timer each). It wakes only the wait under way: each wait is its own promise, so a
  // stream that is never quiet holds nothing per event, and a timer firing while nobody waits
  // (the consumer busy, or gone without return()) does nothing and stays down.
  let wake: (() => void) | null = null;
  const timer = setTimeout(() => wake?.(), intervalMs);
  let pending: Promise<IteratorResult<T>> | null = null;
  try {
    while (true) {
      pending ??= source.next();
      const read = pending;
      timer.refresh();
      const next = await new Promise<IteratorResult<T> | 'tick'>((resolve, reject) => {
        wake = () => resolve('tick');
        read.then(resolve, reject);
      });
      wake = null;
      if (next === 'tick') {
        yield keepalive();
        continue;
      }
      pending = null;
      if (next.done) return;
      yield next.value;
    }
  } finally {
    clearTimeout(timer);
    // Left early (the client went away): the read in flight settles as the stream is cancelled.
    pending?.catch(() => {});
    await source.return(undefined as never).catch(() => {});
  }
}

/** The interval the client asked for, within 1 s – 5 min; 50 s (the clients' choice) otherwise. */
export function keepaliveMs(header: string | null): number {
  const sec = Number(header);
  return Number.isFinite(sec) && sec >= 1 ? Math.min(sec, 300) * 1000 : 50_000;
}
