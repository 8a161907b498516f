import type { LimitName } from '@/lib/sandboxes/limits';

/** How each limit reads in the API's quotas and the console's Quotas page. */
export type QuotaUnit = 'count' | 'vcpu' | 'mb' | 'bytes' | 'seconds' | 'per_minute';
export type QuotaScope = 'org' | 'sandbox' | 'api_key';

export const QUOTA_INFO: Record<LimitName, { label: string; unit: QuotaUnit; scope: QuotaScope; used: string }> = {
  maxSandboxes: { label: 'Concurrent sandboxes', unit: 'count', scope: 'org', used: 'creating, running or paused now' },
  maxRunningCpu: { label: 'Running vCPUs', unit: 'vcpu', scope: 'org', used: 'vCPUs of creating and running sandboxes' },
  maxRunningMemoryMb: { label: 'Running memory', unit: 'mb', scope: 'org', used: 'memory of creating, running and paused sandboxes' },
  maxCpu: { label: 'vCPUs per sandbox', unit: 'vcpu', scope: 'sandbox', used: 'the largest sandbox now' },
  maxMemoryMb: { label: 'Memory per sandbox', unit: 'mb', scope: 'sandbox', used: 'the largest sandbox now' },
  maxDiskMb: { label: 'Disk per sandbox', unit: 'mb', scope: 'sandbox', used: 'the largest sandbox kept' },
  maxTimeoutSec: { label: 'Session length', unit: 'seconds', scope: 'sandbox', used: 'the longest TTL among live sandboxes' },
  maxSnapshotBytes: { label: 'Snapshot storage', unit: 'bytes', scope: 'org', used: 'all snapshots, and those being taken' },
  maxTemplates: { label: 'Custom templates', unit: 'count', scope: 'org', used: 'custom templates (none yet: templates come later)' },
  apiRequestsPerMinute: { label: 'API requests per minute', unit: 'per_minute', scope: 'api_key', used: 'the busiest API key over the last minute' },
  maxPortsPerSandbox: { label: 'Exposed ports per sandbox', unit: 'count', scope: 'sandbox', used: 'the sandbox exposing the most' },
};
