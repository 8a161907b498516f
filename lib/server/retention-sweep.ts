import { startRetentionSweep } from '@/lib/sandboxes/retention';
import type { BootHook } from './boot';

/** Deletes timed-out `onTimeout: delete` sandboxes and those past their org's retention. */
export const retentionSweep: BootHook = async () => startRetentionSweep();
