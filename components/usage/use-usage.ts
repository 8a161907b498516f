'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api } from '@/lib/client/api';
import { useOrg } from '@/lib/client/org-context';
import { type ResolvedRange, type UsageSelection, usageQuery } from '@/lib/client/usage-period';
import type { SandboxUsage, UsageSummary } from '@/lib/client/usage-types';

/** How often the page asks again: quickly while something is being metered, slowly otherwise. */
const LIVE_MS = 10_000;
const IDLE_MS = 60_000;

/** The org's usage for a selection, grouped by `groupBy` (the page's choice, or sandbox for the table). */
export function useUsage(selection: UsageSelection, range: ResolvedRange, groupBy = selection.groupBy) {
  const { org } = useOrg();
  const q = usageQuery(selection, range, groupBy).toString();
  return useQuery({
    queryKey: ['usage', org.slug, q],
    queryFn: ({ signal }) => api<UsageSummary>(`/api/v1/usage?${q}`, { org: org.slug, signal }),
    enabled: range.error === null,
    refetchInterval: (query) => (query.state.data?.burnRateMicrosPerHour ? LIVE_MS : IDLE_MS),
    placeholderData: keepPreviousData,
  });
}

/** One sandbox's usage since it was created; refreshed every few seconds while it is metered live. */
export function useSandboxUsage(id: string, live: boolean) {
  const { org, can } = useOrg();
  return useQuery({
    queryKey: ['sandbox-usage', org.slug, id],
    queryFn: ({ signal }) => api<SandboxUsage>(`/api/v1/sandboxes/${id}/usage`, { org: org.slug, signal }),
    enabled: can('usage:read'),
    refetchInterval: live ? 3000 : 30_000,
  });
}
