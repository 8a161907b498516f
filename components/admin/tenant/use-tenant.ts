'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { AdminPlan, TenantDetail } from '@/lib/client/admin-types';
import { api } from '@/lib/client/api';
import type { BillingResponse, QuotasResponse } from '@/lib/client/billing-types';

export type TenantBilling = { org: { id: string; slug: string; name: string; planId: string }; billing: BillingResponse; quotas: QuotasResponse };

export const tenantKeys = {
  detail: (id: string) => ['admin-org', id] as const,
  billing: (id: string) => ['admin-org-billing', id] as const,
  credits: (id: string) => ['admin-org-credits', id] as const,
  plans: ['admin-plans'] as const,
};

/** The tenant page's data: the org with its members, and its billing and quotas as its members see them. */
export function useTenant(id: string) {
  const detail = useQuery({
    queryKey: tenantKeys.detail(id),
    queryFn: ({ signal }) => api<TenantDetail>(`/api/admin/orgs/${id}`, { signal }),
  });
  const billing = useQuery({
    queryKey: tenantKeys.billing(id),
    queryFn: ({ signal }) => api<TenantBilling>(`/api/admin/orgs/${id}/billing`, { signal }),
  });
  return { detail, billing };
}

export function usePlans() {
  return useQuery({
    queryKey: tenantKeys.plans,
    queryFn: ({ signal }) => api<{ plans: AdminPlan[] }>('/api/admin/plans', { signal }),
  });
}

/** After an admin action: everything the tenant page and the lists show may have changed. */
export function useRefreshTenant(id: string) {
  const qc = useQueryClient();
  return () =>
    Promise.all([
      qc.invalidateQueries({ queryKey: tenantKeys.detail(id) }),
      qc.invalidateQueries({ queryKey: tenantKeys.billing(id) }),
      qc.invalidateQueries({ queryKey: tenantKeys.credits(id) }),
      qc.invalidateQueries({ queryKey: ['admin-audit', id] }),
      qc.invalidateQueries({ queryKey: ['admin-orgs'] }),
      qc.invalidateQueries({ queryKey: tenantKeys.plans }),
    ]);
}
