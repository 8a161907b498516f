import net from 'node:net';

/** Whether something accepts connections on a unix socket right now. */
export function socketAnswers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(socketPath);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => {
      s.destroy();
      resolve(false);
    });
  });
}

/**
 * Waits until a unix socket accepts connections. `giveUp` lets the caller stop early (the
 * process that should listen has exited). Rejects after `timeoutMs`.
 */
export async function waitForSocket(
  socketPath: string,
  timeoutMs: number,
  opts: { everyMs?: number; giveUp?: () => string | undefined } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await socketAnswers(socketPath)) return;
    const reason = opts.giveUp?.();
    if (reason) throw new Error(reason);
    if (Date.now() > deadline) throw new Error(`nothing answered on ${socketPath} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, opts.everyMs ?? 50));
  }
}
