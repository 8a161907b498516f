/** Response shapes of /api/v1/quotas and /api/v1/billing as the browser sees them (money: integer micro-dollars). */
export type BillingStatus = {
  blocked: 'suspended' | 'spend_limit' | 'balance_exhausted' | null;
  suspended: { at: string; reason: string | null } | null;
  limitReached: boolean;
  alertCrossed: boolean;
  spentMicros: number;
  spendLimitMicros: number | null;
  spendAlertMicros: number | null;
  balanceMicros: number;
  paymentFailed: { invoiceId: string; number: string | null; amountDueMicros: number; currency: string; hostedInvoiceUrl: string | null; failedAt: string } | null;
  hold: { reason: string; since: string; stopsAt: string; stoppedAt: string | null; stoppedSandboxes: string[] } | null;
};

export type Quota = {
  name: string;
  label: string;
  unit: 'count' | 'vcpu' | 'mb' | 'bytes' | 'seconds' | 'per_minute';
  scope: 'org' | 'sandbox' | 'api_key';
  used: number;
  limit: number;
  source: 'plan' | 'override' | 'default';
};
export type QuotasResponse = { plan: { id: string; name: string }; quotas: Quota[]; status: BillingStatus };

export type Credit = {
  id: string;
  kind: 'monthly' | 'admin' | 'promo';
  amountMicros: number;
  remainingMicros: number;
  reason: string;
  grantedBy: string;
  effectiveAt: string;
  expiresAt: string | null;
};
export type PlanInfo = {
  id: string;
  name: string;
  custom: boolean;
  priceMicros: number;
  monthlyCreditMicros: number;
  rates: { vcpuHourMicros: number; memoryGibHourMicros: number; pausedGibHourMicros: number; storageGibHourMicros: number; activeCpuHourMicros: number };
  limits: Record<string, number>;
  /** `gvisor`: the plan's orgs may only run gVisor sandboxes; null: any level. */
  requiredIsolation: 'gvisor' | null;
};
export type BillingResponse = {
  plan: PlanInfo | null;
  balanceMicros: number;
  uncoveredMicros: number;
  credits: Credit[];
  period: { start: string; end: string; spentMicros: number; burnRateMicrosPerHour: number; projectedMicros: number };
  spend: { limitMicros: number | null; alertMicros: number | null; notices: Array<{ kind: 'spend_alert' | 'spend_limit'; thresholdMicros: number; spentMicros: number; at: string }> };
  payment: PaymentInfo;
  status: BillingStatus;
};

export type Subscription = { id: string; status: string; planId: string | null; live: boolean; cancelAtPeriodEnd: boolean; currentPeriodEnd: string | null };
export type PaymentInfo = {
  hasPaymentMethod: boolean;
  /** stripe: payments on; local: no STRIPE_SECRET_KEY; incomplete: a key without the rest. */
  provider: 'stripe' | 'local' | 'incomplete';
  missing: string[];
  message?: string;
  subscriptions: Subscription[];
  plans: Array<{ id: string; name: string; priceMicros: number; monthlyCreditMicros: number }>;
};

export type Invoice = {
  id: string;
  number: string | null;
  status: 'open' | 'paid' | 'void' | 'uncollectible';
  currency: string;
  totalMicros: number;
  amountDueMicros: number;
  amountPaidMicros: number;
  periodStart: string | null;
  periodEnd: string | null;
  hostedInvoiceUrl: string | null;
  invoicePdf: string | null;
  paymentFailedAt: string | null;
  createdAt: string;
};
export type InvoicesResponse = { invoices: Invoice[]; nextCursor: string | null };
