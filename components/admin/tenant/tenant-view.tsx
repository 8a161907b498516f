'use client';

import Link from 'next/link';
import { AuditList } from '@/components/audit/audit-table';
import { Badge } from '@/components/ui/badge';
import { cn } from '@/components/ui/cn';
import { FormError } from '@/components/ui/field';
import { Skeleton, TableSkeleton } from '@/components/ui/spinner';
import { errorMessage } from '@/lib/client/api';
import { formatDateTime } from '@/lib/client/format';
import { AdminSandboxesTable } from '../admin-sandboxes-table';
import { TenantStatusBadge } from '../tenant-status-badge';
import { CreditsCard } from './credits-card';
import { MembersCard } from './members-card';
import { PlanCard } from './plan-card';
import { QuotasCard } from './quotas-card';
import { SuspensionCard } from './suspension-card';
import { TENANT_TABS, type TenantTab } from './tabs';
import { useTenant } from './use-tenant';


/** One tenant for a platform admin: plan, credit, quotas, suspension, members, sandboxes and its audit log, a tab each. */
export function TenantView({ id, tab }: { id: string; tab: TenantTab }) {
  const { detail, billing } = useTenant(id);
  const d = detail.data;
  const b = billing.data;
  if (detail.isError) return <FormError message={errorMessage(detail.error)} />;
  return (
    // grid-cols-1 (minmax(0, 1fr)): a wide table scrolls inside its card instead of widening the page.
    <div className="grid grid-cols-1 gap-6">
      <div className="grid gap-1">
        {d ? (
          <>
            <div className="flex flex-wrap items-center gap-2">
              <h1 className="text-xl font-semibold tracking-tight text-zinc-900">{d.org.name}</h1>
              <TenantStatusBadge status={d.org.status} why={d.org.suspended?.reason ?? d.org.hold?.reason} />
              {d.org.personal ? <Badge tone="accent">personal</Badge> : null}
            </div>
            <p className="text-sm text-zinc-500">
              <code className="font-mono">{d.org.slug}</code> · {d.org.plan.name} plan · created {formatDateTime(d.org.createdAt)} · {d.apiKeys} API key
              {d.apiKeys === 1 ? '' : 's'} · {d.sandboxes.running ?? 0} running of {Object.values(d.sandboxes).reduce((s, n) => s + (n ?? 0), 0)} sandboxes
            </p>
          </>
        ) : (
          <Skeleton className="h-7 w-64" />
        )}
      </div>
      <nav aria-label="Organization sections" className="-mx-1 flex gap-1 overflow-x-auto border-b border-zinc-200 px-1">
        {TENANT_TABS.map((t) => (
          <Link
            key={t.id}
            href={`/admin/orgs/${id}${t.id === 'overview' ? '' : `?tab=${t.id}`}`}
            aria-current={tab === t.id ? 'page' : undefined}
            className={cn(
              '-mb-px border-b-2 border-transparent px-3 py-2 text-sm font-medium whitespace-nowrap text-zinc-600 hover:text-zinc-900',
              tab === t.id && 'border-indigo-600 text-zinc-900',
            )}
          >
            {t.label}
          </Link>
        ))}
      </nav>
      {billing.isError && (tab === 'overview' || tab === 'quotas') ? <FormError message={errorMessage(billing.error)} /> : null}
      {(tab === 'overview' || tab === 'quotas') && !b && !billing.isError ? <TableSkeleton rows={5} /> : null}
      {tab === 'overview' && b && d ? (
        <div className="grid grid-cols-1 gap-6">
          <PlanCard key={b.billing.plan?.id} orgId={id} billing={b.billing} />
          <CreditsCard orgId={id} billing={b.billing} />
          <SuspensionCard org={d.org} />
        </div>
      ) : null}
      {tab === 'quotas' && b ? <QuotasCard orgId={id} billing={b.billing} quotas={b.quotas.quotas} /> : null}
      {tab === 'members' ? d ? <MembersCard members={d.members} /> : <TableSkeleton rows={3} /> : null}
      {tab === 'sandboxes' ? <AdminSandboxesTable fixedOrg={id} /> : null}
      {tab === 'audit' ? <AuditList path={`/api/admin/orgs/${id}/audit`} queryKey={['admin-audit', id]} /> : null}
    </div>
  );
}
