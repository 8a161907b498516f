import { collectAllBuildCaches } from '@/lib/templates/build-gc';
import { resumeBuilds } from '@/lib/templates/builds';
import type { BootHook } from './boot';

/** Template builds a restart cut short are queued again (a pull is idempotent). */
export const templateBuilds: BootHook = async ({ log }) => {
  const n = await resumeBuilds();
  if (n) log.info({ builds: n }, 'template builds resumed');
  // What builds and deletes left on runners while no console ran (in the background: a runner
  // away must not hold up the boot).
  void collectAllBuildCaches().catch((err) => log.warn({ err }, 'build caches not collected at start'));
  return undefined;
};
