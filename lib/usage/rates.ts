import { z } from 'zod';
import type { UsageKind } from '@/db/schema/usage';

/**
 * The default rate card, in integer micro-dollars per hour (no floating point in any amount).
 * Defaults follow published market rates: $0.0504 per vCPU-hour and $0.0162 per GiB-hour of
 * memory (E2B's and Modal's order of magnitude), paused memory at the memory rate, storage at
 * $0.000389 per GiB-hour (≈ $0.28 per GiB-month, Daytona's), active CPU shown but not billed.
 * These are the defaults the plans are seeded with (lib/billing/plan-defaults.ts); the meter
 * prices each period with the rates of the org's plan (lib/usage/org-rates.ts).
 */
const RatesSchema = z.object({
  WARREN_RATE_VCPU_HOUR_MICROS: z.coerce.number().int().min(0).default(50_400),
  WARREN_RATE_MEMORY_GIB_HOUR_MICROS: z.coerce.number().int().min(0).default(16_200),
  WARREN_RATE_PAUSED_GIB_HOUR_MICROS: z.coerce.number().int().min(0).default(16_200),
  WARREN_RATE_STORAGE_GIB_HOUR_MICROS: z.coerce.number().int().min(0).default(389),
  WARREN_RATE_ACTIVE_CPU_HOUR_MICROS: z.coerce.number().int().min(0).default(0),
});

export type RateCard = { vcpuHour: bigint; memoryGibHour: bigint; pausedGibHour: bigint; storageGibHour: bigint; activeCpuHour: bigint };

export function rateCard(source: NodeJS.ProcessEnv = process.env): RateCard {
  const r = RatesSchema.parse(source);
  return {
    vcpuHour: BigInt(r.WARREN_RATE_VCPU_HOUR_MICROS),
    memoryGibHour: BigInt(r.WARREN_RATE_MEMORY_GIB_HOUR_MICROS),
    pausedGibHour: BigInt(r.WARREN_RATE_PAUSED_GIB_HOUR_MICROS),
    storageGibHour: BigInt(r.WARREN_RATE_STORAGE_GIB_HOUR_MICROS),
    activeCpuHour: BigInt(r.WARREN_RATE_ACTIVE_CPU_HOUR_MICROS),
  };
}

export type PeriodQuantities = { kind: UsageKind; durationMs: number; vcpuMilli: number; memoryMb: number; diskBytes: number; cpuMs: number };

const HOUR_MS = 3_600_000n;
const GIB = 1024n * 1024n * 1024n;

/**
 * The cost of one period, in whole micro-dollars rounded down, with exact integer arithmetic:
 * compute = time × (vCPUs × vCPU rate + GiB × memory rate); paused = time × GiB × paused rate;
 * storage = time × GiB stored × storage rate; active_cpu = CPU time used × active CPU rate.
 */
export function periodCost(p: PeriodQuantities, rates: RateCard): number {
  const ms = BigInt(Math.max(0, Math.round(p.durationMs)));
  switch (p.kind) {
    case 'compute': {
      // vCPU rate × milli-vCPU / 1000 and memory rate × MiB / 1024, over one denominator.
      const perHour = BigInt(p.vcpuMilli) * rates.vcpuHour * 1024n + BigInt(p.memoryMb) * rates.memoryGibHour * 1000n;
      return Number((ms * perHour) / (HOUR_MS * 1000n * 1024n));
    }
    case 'paused':
      return Number((ms * BigInt(p.memoryMb) * rates.pausedGibHour) / (HOUR_MS * 1024n));
    case 'storage':
      return Number((ms * BigInt(p.diskBytes) * rates.storageGibHour) / (HOUR_MS * GIB));
    case 'active_cpu':
      return Number((BigInt(Math.max(0, p.cpuMs)) * rates.activeCpuHour) / HOUR_MS);
  }
}
