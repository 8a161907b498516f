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
  let pending: Promise<IteratorResult<T>> | null = null;
  try {
    while (true) {
      pending ??= source.next();
      let timer: NodeJS.Timeout | undefined;
      const tick = new Promise<'tick'>((r) => {
        timer = setTimeout(() => r('tick'), intervalMs);
      });
      let next: IteratorResult<T> | 'tick';
      try {
        next = await Promise.race([pending, tick]);
      } finally {
        clearTimeout(timer);
      }
      if (next === 'tick') {
        yield keepalive();
        continue;
      }
      pending = null;
      if (next.done) return;
      yield next.value;
    }
  } finally {
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
