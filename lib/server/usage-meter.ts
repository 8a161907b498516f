import { startUsageMeter } from '@/lib/usage/ingest';
import type { BootHook } from './boot';

/** Reads the runners' usage journals into usage periods every 2 s (lib/usage/). */
export const usageMeter: BootHook = async () => startUsageMeter();
