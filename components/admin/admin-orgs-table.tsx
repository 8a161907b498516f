'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Building2, Search } from 'lucide-react';
import Link from 'next/link';
import * as React from 'react';
import { Money } from '@/components/usage/money';
import { Badge } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { Input, Select } from '@/components/ui/input';
import { Pagination } from '@/components/ui/pagination';
import { QueryStates } from '@/components/ui/query-states';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import type { Tenant, TenantStatus } from '@/lib/client/admin-types';
import { api } from '@/lib/client/api';
import { formatDateTime } from '@/lib/client/format';
import { useCursorPages } from '@/lib/client/use-cursor-pages';
import { useDebounced } from '@/lib/client/use-debounced';
import { type Sort, SortHeader } from './sort-header';
import { TenantStatusBadge } from './tenant-status-badge';

const PAGE_SIZE = 25;
type Key = 'created' | 'name' | 'cost' | 'members';

/** Every org (tenant): plan, status, this month's cost and balance; search, sort, filter by status, pages. */
export function AdminOrgsTable() {
  const [search, setSearch] = React.useState('');
  const [status, setStatus] = React.useState<TenantStatus | ''>('');
  const [sort, setSort] = React.useState<Sort<Key>>({ key: 'created', dir: 'desc' });
  const q = useDebounced(search.trim(), 250);
  const pages = useCursorPages(`${q}|${status}|${sort.key}|${sort.dir}`);
  const orgs = useQuery({
    queryKey: ['admin-orgs', q, status, sort, pages.cursor],
    queryFn: ({ signal }) => {
      const qs = new URLSearchParams({ limit: String(PAGE_SIZE), sort: sort.key, dir: sort.dir });
      if (q) qs.set('q', q);
      if (status) qs.set('status', status);
      if (pages.cursor) qs.set('cursor', pages.cursor);
      return api<{ orgs: Tenant[]; nextCursor: string | null }>(`/api/admin/orgs?${qs}`, { signal });
    },
    placeholderData: keepPreviousData,
  });
  const list = orgs.data?.orgs ?? [];
  const header = (label: string, column: Key, firstDir: 'asc' | 'desc' = 'desc', className?: string) => (
    <SortHeader label={label} column={column} sort={sort} onSort={setSort} firstDir={firstDir} className={className} />
  );

  return (
    <Card>
      <div className="flex flex-wrap gap-2 border-b border-zinc-200 p-3">
        <div className="relative min-w-0 flex-1 sm:max-w-sm">
          <Search className="pointer-events-none absolute top-2.5 left-2.5 size-4 text-zinc-400" aria-hidden />
          <Input
            type="search"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            placeholder="Search by name or URL name"
            aria-label="Search organizations"
            className="pl-8"
            maxLength={100}
          />
        </div>
        <Select aria-label="Status" value={status} onChange={(e) => setStatus(e.target.value as TenantStatus | '')} className="w-auto">
          <option value="">Any status</option>
          <option value="active">Active</option>
          <option value="suspended">Suspended</option>
          <option value="on_hold">On hold</option>
        </Select>
      </div>
      <QueryStates query={orgs} columns={5} />
      {orgs.data && list.length === 0 ? (
        <EmptyState
          icon={Building2}
          title={q || status ? 'No organization matches' : 'No organizations yet'}
          description={q || status ? 'Try another name, URL name or status.' : 'Organizations appear here as people sign up.'}
        />
      ) : null}
      {list.length > 0 ? (
        <Table data-testid="admin-orgs-table" aria-busy={orgs.isPlaceholderData || undefined}>
          <THead>
            <TR>
              {header('Name', 'name', 'asc')}
              <TH className="max-sm:hidden">Plan</TH>
              <TH className="max-sm:hidden">Status</TH>
              {header('Cost this month', 'cost', 'desc', 'text-right')}
              <TH className="text-right">Balance</TH>
              {header('Members', 'members', 'desc', 'text-right max-sm:hidden')}
              {header('Created', 'created', 'desc', 'max-md:hidden')}
            </TR>
          </THead>
          <TBody>
            {list.map((o) => (
              <TR key={o.id} data-testid={`admin-org-${o.slug}`}>
                <TD className="min-w-36">
                  <Link href={`/admin/orgs/${o.id}`} className="font-medium text-zinc-900 hover:text-indigo-700 hover:underline">
                    {o.name}
                  </Link>
                  <div className="flex flex-wrap items-center gap-1.5 text-xs text-zinc-500">
                    <code className="font-mono">{o.slug}</code>
                    {o.personal ? <Badge tone="accent">personal</Badge> : null}
                  </div>
                  {/* On a phone the plan and status columns fold in here, so cost and balance stay in view. */}
                  <div className="mt-1 flex items-center gap-1.5 text-xs text-zinc-600 sm:hidden">
                    {o.plan.name}
                    <TenantStatusBadge status={o.status} why={o.status === 'suspended' ? o.suspendedReason : o.hold?.reason} />
                  </div>
                </TD>
                <TD className="whitespace-nowrap max-sm:hidden">{o.plan.name}</TD>
                <TD className="max-sm:hidden">
                  <TenantStatusBadge status={o.status} why={o.status === 'suspended' ? o.suspendedReason : o.hold?.reason} />
                </TD>
                <TD className="text-right">
                  <Money micros={o.costMicros} />
                </TD>
                <TD className="text-right">
                  <Money micros={o.balanceMicros} className={o.balanceMicros <= 0 ? 'text-red-700' : undefined} />
                </TD>
                <TD className="text-right tabular-nums max-sm:hidden">{o.memberCount}</TD>
                <TD className="whitespace-nowrap text-zinc-500 max-md:hidden">{formatDateTime(o.createdAt)}</TD>
              </TR>
            ))}
          </TBody>
        </Table>
      ) : null}
      <Pagination
        page={pages.page}
        hasPrevious={pages.hasPrevious}
        hasNext={!!orgs.data?.nextCursor}
        onPrevious={pages.previous}
        onNext={() => pages.next(orgs.data?.nextCursor)}
        busy={orgs.isFetching}
      />
    </Card>
  );
}
