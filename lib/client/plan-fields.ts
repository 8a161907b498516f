import { parseUsd, usd } from '@/lib/billing/money';
import type { AdminPlan } from '@/lib/client/admin-types';

/**
 * The plan editor's fields: how each reads (dollars, dollars per hour, a count, MiB…), how it is
 * typed and checked in the browser (the same bounds as lib/schemas/billing.ts, which checks again),
 * and where it lives in a plan as the API returns it.
 */
export type FieldKind = 'money' | 'int' | 'vcpu' | 'mib';
export type PlanField = { key: string; label: string; kind: FieldKind; min: number; max: number; hint?: string; group: 'price' | 'rates' | 'quotas' };

const MONEY_MAX = 1_000_000_000_000;
const RATE_MAX = 1_000_000_000;
const MIB = 1024 * 1024;

export const PLAN_FIELDS: PlanField[] = [
  { key: 'priceMicros', label: 'Price per month ($)', kind: 'money', min: 0, max: MONEY_MAX, group: 'price', hint: 'Charged by the payment integration (Stripe) once it exists.' },
  { key: 'monthlyCreditMicros', label: 'Monthly credit ($)', kind: 'money', min: 0, max: MONEY_MAX, group: 'price', hint: 'Granted at each month’s start, lapsing at its end. Changes apply from next month.' },
  { key: 'vcpuHourMicros', label: 'vCPU-hour ($)', kind: 'money', min: 0, max: RATE_MAX, group: 'rates' },
  { key: 'memoryGibHourMicros', label: 'Memory GiB-hour, running ($)', kind: 'money', min: 0, max: RATE_MAX, group: 'rates' },
  { key: 'pausedGibHourMicros', label: 'Memory GiB-hour, paused ($)', kind: 'money', min: 0, max: RATE_MAX, group: 'rates' },
  { key: 'storageGibHourMicros', label: 'Storage GiB-hour ($)', kind: 'money', min: 0, max: RATE_MAX, group: 'rates' },
  { key: 'activeCpuHourMicros', label: 'Active CPU-hour ($)', kind: 'money', min: 0, max: RATE_MAX, group: 'rates', hint: 'CPU time really used; 0 = shown, not billed.' },
  { key: 'maxSandboxes', label: 'Concurrent sandboxes', kind: 'int', min: 0, max: 100_000, group: 'quotas' },
  { key: 'maxRunningCpu', label: 'Running vCPUs (org)', kind: 'vcpu', min: 0.01, max: 100_000, group: 'quotas' },
  { key: 'maxRunningMemoryMb', label: 'Running memory (org, MiB)', kind: 'int', min: 0, max: 100_000_000, group: 'quotas' },
  { key: 'maxCpu', label: 'vCPUs per sandbox', kind: 'vcpu', min: 0.01, max: 64, group: 'quotas' },
  { key: 'maxMemoryMb', label: 'Memory per sandbox (MiB)', kind: 'int', min: 1, max: 1_048_576, group: 'quotas' },
  { key: 'maxDiskMb', label: 'Disk per sandbox (MiB)', kind: 'int', min: 1, max: 10_485_760, group: 'quotas' },
  { key: 'maxTimeoutSec', label: 'Session length (seconds)', kind: 'int', min: 1, max: 31 * 86_400, group: 'quotas' },
  { key: 'maxSnapshotBytes', label: 'Snapshot storage (MiB)', kind: 'mib', min: 0, max: 2 ** 30, group: 'quotas' },
  { key: 'maxTemplates', label: 'Custom templates', kind: 'int', min: 0, max: 100_000, group: 'quotas' },
  { key: 'apiRequestsPerMinute', label: 'API requests per minute (per key)', kind: 'int', min: 1, max: 1_000_000, group: 'quotas' },
  { key: 'maxPortsPerSandbox', label: 'Exposed ports per sandbox', kind: 'int', min: 0, max: 1000, group: 'quotas' },
];

/** The field's value in a plan as the API returns it (rates and limits are nested). */
export type PlanNumbers = Pick<AdminPlan, 'priceMicros' | 'monthlyCreditMicros' | 'rates' | 'limits'>;

export function planValue(p: PlanNumbers, key: string): number {
  if (key === 'priceMicros' || key === 'monthlyCreditMicros') return p[key];
  if (key in p.rates) return p.rates[key as keyof AdminPlan['rates']];
  return p.limits[key] ?? 0;
}

/** What the input shows for an API value. */
export function toInput(kind: FieldKind, n: number): string {
  if (kind === 'money') return usd(n).slice(1).replaceAll(',', '');
  if (kind === 'mib') return String(Math.round(n / MIB));
  return String(n);
}

/** An input's text → the API's number, or an error message in words. */
export function fromInput(f: PlanField, raw: string): { value: number } | { error: string } {
  const t = raw.trim();
  if (t === '') return { error: 'Enter a value' };
  if (f.kind === 'money') {
    const micros = parseUsd(t);
    if (micros === null) return { error: 'Enter dollars, e.g. 20 or 0.0504' };
    if (micros > f.max) return { error: `At most ${usd(f.max)}` };
    return { value: micros };
  }
  const n = Number(t);
  if (!Number.isFinite(n)) return { error: 'Enter a number' };
  // Tolerant of binary fractions: 0.29 × 100 is 28.999999999999996.
  if (f.kind === 'vcpu' && Math.abs(n * 100 - Math.round(n * 100)) > 1e-9) return { error: 'vCPUs are counted in hundredths, e.g. 0.5 or 2.25' };
  if (f.kind !== 'vcpu' && !Number.isInteger(n)) return { error: 'Enter a whole number' };
  if (n < f.min) return { error: `At least ${f.min}` };
  if (n > f.max) return { error: `At most ${f.max.toLocaleString('en-US')}` };
  return { value: f.kind === 'mib' ? n * MIB : n };
}
