import type { Logger } from 'pino';
import { logger } from '@/lib/logger';
import { smtpSettings } from './config';
import { attemptDelivery, claimDueMail } from './send';

/**
 * The background half of delivery: retries queued mail when its time comes, and takes over
 * rows whose first attempt never finished (the console died mid-send: their lease ran out).
 * State lives only in mail_outbox, so a restart loses nothing.
 */
export async function deliverDueMail(): Promise<number> {
  if (!smtpSettings()) return 0;
  let done = 0;
  for (;;) {
    const ids = await claimDueMail();
    if (ids.length === 0) return done;
    // One at a time: mail volume is small, and a slow server should not get a burst of connections.
    for (const id of ids) {
      await attemptDelivery(id);
      done += 1;
    }
  }
}

export function startMailSender(opts: { intervalMs?: number; log?: Logger } = {}): () => Promise<void> {
  const log = opts.log ?? logger.child({ component: 'mail-sender' });
  let running: Promise<void> | null = null;
  const tick = () => {
    running ??= deliverDueMail()
      .then((n) => {
        if (n) log.info({ attempts: n }, 'mail sender pass');
      })
      .catch((err) => log.error({ err }, 'mail sender pass failed'))
      .finally(() => {
        running = null;
      });
  };
  tick();
  const timer = setInterval(tick, opts.intervalMs ?? 10_000);
  timer.unref();
  return async () => {
    clearInterval(timer);
    // An attempt in flight keeps its lease; if it does not finish here, the next start retries it.
    await Promise.race([running, new Promise((r) => setTimeout(r, 5_000).unref())]);
  };
}
