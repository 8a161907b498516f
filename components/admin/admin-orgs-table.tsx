'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Building2, Search } from 'lucide-react';
import * as React from 'react';
import { Badge } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { FormError } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { Pagination } from '@/components/ui/pagination';
import { TableSkeleton } from '@/components/ui/spinner';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import { api, errorMessage } from '@/lib/client/api';
import { formatDateTime } from '@/lib/client/format';
import type { AdminOrg } from '@/lib/client/types';
import { useCursorPages } from '@/lib/client/use-cursor-pages';
import { useDebounced } from '@/lib/client/use-debounced';

const PAGE_SIZE = 25;

export function AdminOrgsTable() {
  const [search, setSearch] = React.useState('');
  const q = useDebounced(search.trim(), 250);
  const pages = useCursorPages(q);
  const orgs = useQuery({
    queryKey: ['admin-orgs', q, pages.cursor],
    queryFn: ({ signal }) => {
      const qs = new URLSearchParams({ limit: String(PAGE_SIZE) });
      if (q) qs.set('q', q);
      if (pages.cursor) qs.set('cursor', pages.cursor);
      return api<{ orgs: AdminOrg[]; nextCursor: string | null }>(`/api/admin/orgs?${qs}`, { signal });
    },
    placeholderData: keepPreviousData,
  });
  const list = orgs.data?.orgs ?? [];

  return (
    <Card>
      <div className="border-b border-zinc-200 p-3">
        <div className="relative max-w-sm">
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
      </div>
      {orgs.isPending ? <TableSkeleton columns={5} /> : null}
      {orgs.isError ? (
        <div className="p-4">
          <FormError message={errorMessage(orgs.error)} />
        </div>
      ) : null}
      {orgs.data && list.length === 0 ? (
        <EmptyState
          icon={Building2}
          title={q ? 'No organization matches' : 'No organizations yet'}
          description={q ? 'Try another name or URL name.' : 'Organizations appear here as people sign up.'}
        />
      ) : null}
      {list.length > 0 ? (
        <Table data-testid="admin-orgs-table">
          <THead>
            <TR>
              <TH>Name</TH>
              <TH>URL name</TH>
              <TH>Type</TH>
              <TH className="text-right">Members</TH>
              <TH>Created</TH>
            </TR>
          </THead>
          <TBody>
            {list.map((o) => (
              <TR key={o.id} data-testid={`admin-org-${o.slug}`}>
                <TD className="font-medium text-zinc-900">{o.name}</TD>
                <TD>
                  <code className="font-mono text-xs">{o.slug}</code>
                </TD>
                <TD>{o.personal ? <Badge tone="accent">personal</Badge> : <Badge>team</Badge>}</TD>
                <TD className="text-right tabular-nums">{o.memberCount}</TD>
                <TD className="whitespace-nowrap text-zinc-500">{formatDateTime(o.createdAt)}</TD>
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
