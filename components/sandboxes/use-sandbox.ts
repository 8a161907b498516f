'use client';

import { useQuery } from '@tanstack/react-query';
import { api } from '@/lib/client/api';
import { useOrg } from '@/lib/client/org-context';
import type { Sandbox } from '@/lib/client/sandbox-types';
import { sandboxKeys } from './use-sandbox-mutations';

/** One sandbox, polled so state changes (idle stop, TTL, another tab) show without a reload. */
export function useSandbox(id: string) {
  const { org } = useOrg();
  return useQuery({
    queryKey: sandboxKeys.one(org.slug, id),
    queryFn: ({ signal }) => api<Sandbox>(`/api/v1/sandboxes/${id}`, { org: org.slug, signal }),
    refetchInterval: (q) => (q.state.data?.state === 'creating' ? 1000 : 3000),
  });
}
