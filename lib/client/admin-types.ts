import type { Role } from '@/lib/auth/permissions';
import type { PlanInfo } from './billing-types';
import type { SandboxState } from './sandbox-types';

/** Response shapes of the /api/admin routes as the browser sees them (money: integer micro-dollars). */
export type TenantStatus = 'active' | 'suspended' | 'on_hold';

export type Tenant = {
  id: string;
  slug: string;
  name: string;
  personal: boolean;
  createdAt: string;
  memberCount: number;
  plan: { id: string; name: string };
  status: TenantStatus;
  suspendedReason: string | null;
  hold: { reason: string; stopsAt: string; stoppedAt: string | null } | null;
  costMicros: number;
  balanceMicros: number;
  runningSandboxes: number;
};

export type TenantDetail = {
  org: {
    id: string;
    slug: string;
    name: string;
    personal: boolean;
    createdAt: string;
    plan: { id: string; name: string };
    status: TenantStatus;
    suspended: { at: string; reason: string | null } | null;
    hold: { reason: string; since: string; stopsAt: string; stoppedAt: string | null } | null;
    spendLimitMicros: number | null;
    hasPaymentMethod: boolean;
  };
  members: Array<{ userId: string; email: string; name: string | null; role: Role; joinedAt: string; disabledAt: string | null; isPlatformAdmin: boolean }>;
  sandboxes: Partial<Record<SandboxState, number>>;
  apiKeys: number;
};

export type AdminUser = {
  id: string;
  email: string;
  name: string | null;
  isPlatformAdmin: boolean;
  disabledAt: string | null;
  disabledReason: string | null;
  createdAt: string;
  orgCount: number;
  activeApiKeys: number;
};

export type AdminSandbox = {
  id: string;
  state: SandboxState;
  reason: string | null;
  org: { id: string; slug: string; name: string };
  runnerId: string;
  cpu: number;
  memoryMb: number;
  template: string;
  createdAt: string;
  costMicros: number;
};

export type AdminRunner = {
  id: string;
  name: string;
  url: string;
  state: 'ready' | 'unreachable' | 'draining';
  capacity: { sandboxes: number; maxSandboxes: number; cpuCommitted: number; cpuTotal: number; memoryMbCommitted: number; memoryMbTotal: number } | null;
  heartbeatAt: string | null;
  sandboxes: Partial<Record<SandboxState, number>>;
  createdAt: string;
};

export type AdminPlan = PlanInfo & { orgId: string | null; org: { id: string; slug: string; name: string } | null; orgCount: number; updatedAt: string };

export type RevenueDay = { day: string; costMicros: number; creditMicros: number; uncoveredMicros: number; subscriptionMicros: number | null };
export type Revenue = {
  month: string;
  from: string;
  to: string;
  days: RevenueDay[];
  totals: { costMicros: number; creditMicros: number; uncoveredMicros: number; grantedMicros: Record<'monthly' | 'admin' | 'promo', number> };
  topOrgs: Array<{ id: string; slug: string; name: string; costMicros: number; creditMicros: number }>;
  subscriptions: { available: true; totalMicros: number; byDay: Record<string, number> } | { available: false; reason: string };
};
