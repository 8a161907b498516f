import type { SandboxResources } from './types';

/** Resources when a create names none; the console passes its own (per-org limits) anyway. */
export const DEFAULT_RESOURCES: SandboxResources = { cpu: 1, memoryMb: 512, diskMb: 2048 };

export const TEMPLATES: Record<string, { layers: string[]; description: string }> = {};

export const nowIso = () => new Date().toISOString();

export function expiry(timeoutSec: number, from = Date.now()): string | null {
  return timeoutSec > 0 ? new Date(from + timeoutSec * 1000).toISOString() : null;
}
