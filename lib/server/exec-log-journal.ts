import { flushExecLog, replayExecLogJournals } from '@/lib/sandboxes/exec-log-writer';
import type { BootHook } from './boot';

/**
 * The exec log's journals (lib/sandboxes/exec-log-writer.ts): at start, what a console that died
 * had answered but not stored yet is stored; at a graceful stop, the queue is drained.
 */
export const execLogJournal: BootHook = async ({ log }) => {
  const replayed = await replayExecLogJournals();
  if (replayed) log.info({ replayed }, 'exec log entries recovered from a previous run');
  return async () => {
    await flushExecLog().catch((err) => log.warn({ err: (err as Error).message }, 'exec log left in the journal for the next start'));
  };
};
