'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { Badge } from '@/components/ui/badge';
import { FormError } from '@/components/ui/field';
import { Skeleton } from '@/components/ui/spinner';
import type { AdminPlan } from '@/lib/client/admin-types';
import { api, errorMessage } from '@/lib/client/api';
import { formatDateTime } from '@/lib/client/format';
import { type EditablePlan, PlanEditor } from './plan-editor';

/** One plan's editor, with who is on it. */
export function PlanPage({ id }: { id: string }) {
  const plan = useQuery({ queryKey: ['admin-plan', id], queryFn: ({ signal }) => api<{ plan: EditablePlan & { custom: boolean } }>(`/api/admin/plans/${id}`, { signal }) });
  const all = useQuery({ queryKey: ['admin-plans'], queryFn: ({ signal }) => api<{ plans: AdminPlan[] }>('/api/admin/plans', { signal }) });
  const listed = all.data?.plans.find((p) => p.id === id);
  if (plan.isError) return <FormError message={errorMessage(plan.error)} />;
  if (!plan.data) return <Skeleton className="h-96 w-full" />;
  const p = plan.data.plan;
  return (
    <div className="grid grid-cols-1 gap-6">
      <div className="grid gap-1">
        <Link href="/admin/plans" className="text-sm text-indigo-700 hover:underline">
          ← Plans
        </Link>
        <div className="flex flex-wrap items-center gap-2">
          <h1 className="text-xl font-semibold tracking-tight text-zinc-900">{p.name}</h1>
          <code className="font-mono text-sm text-zinc-500">{p.id}</code>
          {p.custom ? <Badge tone="accent">custom</Badge> : null}
          {listed?.org ? <Badge tone="warning">for {listed.org.name}</Badge> : null}
        </div>
        <p className="text-sm text-zinc-500">
          {listed ? `${listed.orgCount} organization${listed.orgCount === 1 ? '' : 's'} on it. ` : ''}Last changed {formatDateTime(p.updatedAt)}. Every change is
          recorded in the platform's audit log.
        </p>
      </div>
      <PlanEditor plan={p} />
    </div>
  );
}
