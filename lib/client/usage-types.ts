/**
 * Response shapes of the usage API as the browser sees them (lib/usage/summary.ts on the
 * server; kept apart so client bundles never import server modules). Money is integer
 * micro-dollars; quantities are hours.
 */
export type UsageKind = 'compute' | 'paused' | 'storage' | 'active_cpu';
export const USAGE_KINDS: UsageKind[] = ['compute', 'paused', 'storage', 'active_cpu'];

export type UsageAmounts = {
  costMicros: number;
  vcpuHours: number;
  memoryGibHours: number;
  pausedGibHours: number;
  storageGibHours: number;
  activeCpuHours: number;
};

export type UsageGroup = UsageAmounts & {
  group: string;
  sandbox?: { id: string; state: string; template: string; metadata: Record<string, string>; deleted: boolean };
};

export type UsageSummary = {
  from: string;
  to: string;
  granularity: 'hour' | 'day' | 'month';
  groupBy: string;
  currency: 'usd';
  totals: UsageAmounts & { costByKind: Record<UsageKind, number> };
  series: Array<UsageAmounts & { bucket: string; group: string }>;
  groups: UsageGroup[];
  burnRateMicrosPerHour: number;
};

export type SandboxUsage = UsageSummary & { sandboxId: string; deleted: boolean };

export const KIND_LABELS: Record<UsageKind, string> = {
  compute: 'Compute',
  paused: 'Paused memory',
  storage: 'Storage',
  active_cpu: 'Active CPU',
};

/** Fixed colours per kind, so the chart, its legend and the sandbox page agree. */
export const KIND_COLORS: Record<UsageKind, string> = {
  compute: '#4f46e5',
  paused: '#d97706',
  storage: '#059669',
  active_cpu: '#0284c7',
};
