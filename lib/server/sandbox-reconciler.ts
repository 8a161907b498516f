import { ensureLocalRunnerRegistered } from '@/lib/runners/registry';
import { startSandboxReconciler } from '@/lib/sandboxes/reconcile';
import type { BootHook } from './boot';

/** Keeps the console's sandbox rows in step with what the runners report (every 10 s). */
export const sandboxReconciler: BootHook = async ({ log }) => {
  await ensureLocalRunnerRegistered().catch((err) => log.warn({ err: (err as Error).message }, 'local runner not registered yet'));
  return startSandboxReconciler();
};
