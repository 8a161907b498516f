import type { BootHook } from '@/lib/server/boot';
import { ensureLocalRunnerRegistered } from '@/lib/runners/registry';
import { startSandboxReconciler } from './reconcile';

/**
 * Boot hook for the sandbox API: registers the local runner (once its URL is known; the
 * reconciler retries on every tick because the embedded runner comes up asynchronously) and
 * starts the reconciler. Add after `embeddedRunner` in lib/server/boot-hooks.ts.
 */
export const sandboxesBootHook: BootHook = async ({ log }) => {
  await ensureLocalRunnerRegistered().catch((err) => log.warn({ err }, 'local runner not registered yet'));
  const stop = startSandboxReconciler(Number(process.env.WARREN_RECONCILE_INTERVAL_MS ?? 10_000));
  return stop;
};
