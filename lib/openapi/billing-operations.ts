import { z } from 'zod';
import { updateBillingBody } from '@/lib/schemas/billing';
import { paymentInfo } from './stripe-operations';
import type { DocOperation } from './sandbox-operations';

const micros = (what: string) => z.number().int().describe(`${what}, in micro-dollars (1,000,000 = $1)`);
const ts = z.iso.datetime();

const status = z.object({
  blocked: z.enum(['suspended', 'spend_limit', 'balance_exhausted']).nullable().describe('Why the org may not start anything now (its running sandboxes are stopped after the grace period), or null'),
  suspended: z.object({ at: ts, reason: z.string().nullable() }).nullable(),
  limitReached: z.boolean(),
  alertCrossed: z.boolean(),
  spentMicros: micros('Metered cost this month'),
  spendLimitMicros: z.number().int().nullable(),
  spendAlertMicros: z.number().int().nullable(),
  balanceMicros: micros('Credit left'),
  paymentFailed: z
    .object({ invoiceId: z.string(), number: z.string().nullable(), amountDueMicros: z.number().int(), currency: z.string(), hostedInvoiceUrl: z.string().nullable(), failedAt: ts })
    .nullable()
    .describe('An open invoice whose last payment attempt failed (Stripe retries; pay it or update the card)'),
  hold: z
    .object({ reason: z.string(), since: ts, stopsAt: ts, stoppedAt: ts.nullable(), stoppedSandboxes: z.array(z.string()) })
    .nullable()
    .describe('Set while the org cannot pay: when it began, when its sandboxes stop (or stopped)'),
});

const level = z.object({ available: z.boolean(), reason: z.string().optional().describe('Why not, when unavailable') });

export const quotasResponse = z.object({
  plan: z.object({
    id: z.string(),
    name: z.string(),
    requiredIsolation: z.enum(['gvisor']).nullable().describe('gvisor: every sandbox must run under gVisor (a create naming no level gets it); null: any level'),
  }),
  isolation: z.object({ container: level, gvisor: level }).describe('Whether a new sandbox can get each isolation level now (from the runners\' probes)'),
  quotas: z.array(
    z.object({
      name: z.string(),
      label: z.string(),
      unit: z.enum(['count', 'vcpu', 'mb', 'bytes', 'seconds', 'per_minute']),
      scope: z.enum(['org', 'sandbox', 'api_key']).describe('What the limit applies to: the whole org, each sandbox, each API key'),
      used: z.number().describe('What the org uses now (per-sandbox limits: the largest sandbox)'),
      limit: z.number(),
      source: z.enum(['plan', 'override', 'default']),
    }),
  ),
  status,
});

const plan = z.object({
  id: z.string(),
  name: z.string(),
  custom: z.boolean(),
  priceMicros: micros('Price per month'),
  monthlyCreditMicros: micros('Credit granted at each month’s start, expiring at its end'),
  rates: z.object({
    vcpuHourMicros: z.number().int(),
    memoryGibHourMicros: z.number().int(),
    pausedGibHourMicros: z.number().int(),
    storageGibHourMicros: z.number().int(),
    activeCpuHourMicros: z.number().int(),
  }),
  limits: z.record(z.string(), z.number()),
  requiredIsolation: z.enum(['gvisor']).nullable().describe('gvisor: the plan\'s orgs may only create gVisor sandboxes; null: any level'),
  updatedAt: ts,
});

export const billingResponse = z.object({
  plan: plan.nullable(),
  balanceMicros: micros('Credit left: active grants minus the usage they paid for'),
  uncoveredMicros: micros('Usage no credit could pay for'),
  credits: z.array(
    z.object({
      id: z.string(),
      kind: z.enum(['monthly', 'admin', 'promo']),
      amountMicros: z.number().int(),
      remainingMicros: z.number().int(),
      reason: z.string(),
      grantedBy: z.string(),
      effectiveAt: ts,
      expiresAt: ts.nullable(),
    }),
  ),
  period: z.object({ start: ts, end: ts, spentMicros: micros('Metered cost this month'), burnRateMicrosPerHour: z.number().int(), projectedMicros: micros('Month-end projection at the current burn rate') }),
  spend: z.object({
    limitMicros: z.number().int().nullable(),
    alertMicros: z.number().int().nullable(),
    notices: z.array(z.object({ kind: z.enum(['spend_alert', 'spend_limit']), thresholdMicros: z.number().int(), spentMicros: z.number().int(), at: ts })),
  }),
  payment: paymentInfo,
  status,
});

export const billingOperations: DocOperation[] = [
  { method: 'get', path: '/quotas', summary: 'Every limit with its current use and its source (plan or override)', permission: 'usage:read', response: quotasResponse },
  { method: 'get', path: '/billing', summary: 'Plan, balance and credits, this month’s usage and projection, spend limit and alert, payment and suspension', permission: 'billing:read', response: billingResponse },
  {
    method: 'patch',
    path: '/billing',
    summary: 'Set the monthly spend limit (hard cap: sandboxes stop) and alert threshold in micro-dollars; null clears one. 400 when the alert is not below the limit',
    permission: 'billing:write',
    body: updateBillingBody,
    response: billingResponse,
  },
];
