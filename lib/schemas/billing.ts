import { z } from 'zod';
import { displayName, label } from './common';

/**
 * Request schemas of plans, credits, spend limits and suspension. Money is integer
 * micro-dollars (1,000,000 = $1): a fraction, a negative amount or one past the bound is a 400.
 */
const micros = (max: number, what = 'amount') =>
  z
    .number()
    .int(`${what} is a whole number of micro-dollars (1,000,000 = $1)`)
    .min(0, `${what} cannot be negative`)
    .max(max, `${what} is at most ${max} micro-dollars`);

const whole = (min: number, max: number) => z.number().int('must be a whole number').min(min, `must be at least ${min}`).max(max, `must be at most ${max}`);
/** vCPUs in hundredths, as a sandbox's cpu is (lib/schemas/sandboxes.ts). */
const vcpus = (max: number) => z.number().min(0.01, 'must be at least 0.01').max(max, `must be at most ${max}`).multipleOf(0.01, 'vCPUs are counted in hundredths');

const RATE_MAX = 1_000_000_000; // $1,000 per hour
const PLAN_MONEY_MAX = 1_000_000_000_000; // $1,000,000

export const planFields = {
  name: displayName(60),
  custom: z.boolean(),
  priceMicros: micros(PLAN_MONEY_MAX, 'priceMicros'),
  monthlyCreditMicros: micros(PLAN_MONEY_MAX, 'monthlyCreditMicros'),
  vcpuHourMicros: micros(RATE_MAX, 'vcpuHourMicros'),
  memoryGibHourMicros: micros(RATE_MAX, 'memoryGibHourMicros'),
  pausedGibHourMicros: micros(RATE_MAX, 'pausedGibHourMicros'),
  storageGibHourMicros: micros(RATE_MAX, 'storageGibHourMicros'),
  activeCpuHourMicros: micros(RATE_MAX, 'activeCpuHourMicros'),
  maxSandboxes: whole(0, 100_000),
  maxRunningCpu: vcpus(100_000),
  maxRunningMemoryMb: whole(0, 100_000_000),
  maxCpu: vcpus(64),
  maxMemoryMb: whole(1, 1_048_576),
  maxDiskMb: whole(1, 10_485_760),
  maxTimeoutSec: whole(1, 31 * 86_400),
  maxSnapshotBytes: whole(0, 2 ** 50),
  maxTemplates: whole(0, 100_000),
  apiRequestsPerMinute: whole(1, 1_000_000),
  maxPortsPerSandbox: whole(0, 1000),
  /** `gvisor`: every sandbox of the plan's orgs runs under gVisor; null: any level. */
  requiredIsolation: z
    .enum(['gvisor'], { error: 'requiredIsolation is gvisor or null (any level)' })
    .nullable()
    .describe('gvisor: the plan\'s orgs may only create gVisor sandboxes (a create naming no level gets gvisor); null: any level'),
  /** The Stripe recurring price that sells the plan (Checkout) and identifies it in webhooks; null: not sold. */
  stripePriceId: z
    .string()
    .regex(/^price_[A-Za-z0-9_]{1,200}$/, 'A Stripe price id looks like price_1Abc…')
    .nullable(),
};

export const PLAN_ID_RE = /^[a-z0-9][a-z0-9-]{0,38}[a-z0-9]$/;
const planId = z.string().regex(PLAN_ID_RE, 'Plan ids are 2–40 lowercase letters, digits and hyphens');

const planObject = z.strictObject(planFields);
export type PlanFields = z.infer<typeof planObject>;

/**
 * A new plan: anything left out is copied from `basedOn` (default: free). `org` (an org's id or
 * URL name) makes it a plan for that one org: no other org can be put on it.
 */
export const createPlanBody = planObject.partial().extend({
  id: planId,
  basedOn: planId.optional(),
  org: z.string().trim().toLowerCase().regex(/^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$/, 'Enter an organization id or URL name').optional(),
});

export const updatePlanBody = planObject
  .partial()
  .refine((b) => Object.values(b).some((v) => v !== undefined), 'Nothing to change: send at least one field');

const LIMIT_KEYS = [
  'maxSandboxes',
  'maxRunningCpu',
  'maxRunningMemoryMb',
  'maxCpu',
  'maxMemoryMb',
  'maxDiskMb',
  'maxTimeoutSec',
  'maxSnapshotBytes',
  'maxTemplates',
  'apiRequestsPerMinute',
  'maxPortsPerSandbox',
] as const;
type LimitKey = (typeof LIMIT_KEYS)[number];
const limitShape = Object.fromEntries(LIMIT_KEYS.map((k) => [k, planFields[k].nullable().optional()])) as {
  [K in LimitKey]: z.ZodOptional<z.ZodNullable<(typeof planFields)[K]>>;
};

/** Per-org overrides: a number replaces the plan's value, null goes back to it. */
export const orgLimitsBody = z
  .strictObject(limitShape)
  .refine((b) => Object.values(b).some((v) => v !== undefined), 'Nothing to change: send at least one limit');

export const assignPlanBody = z.strictObject({ planId });

export const grantCreditBody = z.strictObject({
  amountMicros: micros(PLAN_MONEY_MAX, 'amountMicros').min(1, 'amountMicros must be at least 1'),
  reason: label(500),
  kind: z.enum(['admin', 'promo']).default('admin'),
  expiresAt: z.iso.datetime({ offset: true, message: 'expiresAt is an ISO 8601 date-time, e.g. 2027-01-31T00:00:00Z' }).optional(),
});
export type GrantCreditBody = z.input<typeof grantCreditBody>;

export const suspendBody = z.strictObject({ reason: label(500) });

const SPEND_MAX = 10_000_000_000_000; // $10,000,000 a month

/** PATCH /api/v1/billing: the monthly hard cap and the alert threshold (null: none). */
export const updateBillingBody = z
  .strictObject({
    spendLimitMicros: micros(SPEND_MAX, 'spendLimitMicros').nullable().optional(),
    spendAlertMicros: micros(SPEND_MAX, 'spendAlertMicros').nullable().optional(),
  })
  .refine((b) => b.spendLimitMicros !== undefined || b.spendAlertMicros !== undefined, 'Nothing to change: send spendLimitMicros or spendAlertMicros');
export type UpdateBillingBody = z.infer<typeof updateBillingBody>;
