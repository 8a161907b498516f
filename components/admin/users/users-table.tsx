'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Search, Users } from 'lucide-react';
import * as React from 'react';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { Input, Select } from '@/components/ui/input';
import { Pagination } from '@/components/ui/pagination';
import { QueryStates } from '@/components/ui/query-states';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import type { AdminUser } from '@/lib/client/admin-types';
import { api } from '@/lib/client/api';
import { formatDateTime } from '@/lib/client/format';
import { useCursorPages } from '@/lib/client/use-cursor-pages';
import { useDebounced } from '@/lib/client/use-debounced';
import { type UserAction, UserActionDialogs } from './user-action-dialogs';

type Filter = '' | 'admins' | 'disabled' | 'active';

/**
 * Every account: search by e-mail or name, the platform admin flag and disabling. Your own row
 * cannot lose its admin role or be disabled (the API refuses too, and keeps one admin at least).
 */
export function UsersTable({ me, initialQuery = '' }: { me: string; initialQuery?: string }) {
  const [search, setSearch] = React.useState(initialQuery);
  const [filter, setFilter] = React.useState<Filter>('');
  const [pending, setPending] = React.useState<UserAction>(null);
  const q = useDebounced(search.trim(), 250);
  const pages = useCursorPages(`${q}|${filter}`);
  const users = useQuery({
    queryKey: ['admin-users', q, filter, pages.cursor],
    queryFn: ({ signal }) => {
      const qs = new URLSearchParams({ limit: '25' });
      if (q) qs.set('q', q);
      if (filter) qs.set('filter', filter);
      if (pages.cursor) qs.set('cursor', pages.cursor);
      return api<{ users: AdminUser[]; nextCursor: string | null }>(`/api/admin/users?${qs}`, { signal });
    },
    placeholderData: keepPreviousData,
  });
  const rows = users.data?.users ?? [];

  return (
    <Card>
      <div className="flex flex-wrap gap-2 border-b border-zinc-200 p-3">
        <div className="relative min-w-0 flex-1 sm:max-w-sm">
          <Search className="pointer-events-none absolute top-2.5 left-2.5 size-4 text-zinc-400" aria-hidden />
          <Input type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="Search by e-mail or name" aria-label="Search users" className="pl-8" maxLength={100} />
        </div>
        <Select aria-label="Show" value={filter} onChange={(e) => setFilter(e.target.value as Filter)} className="w-auto">
          <option value="">Everyone</option>
          <option value="admins">Platform admins</option>
          <option value="disabled">Disabled</option>
          <option value="active">Not disabled</option>
        </Select>
      </div>
      <QueryStates query={users} columns={4} />
      {users.data && rows.length === 0 ? (
        <EmptyState icon={Users} title={q || filter ? 'No one matches' : 'No users yet'} description={q || filter ? 'Try another e-mail, name or filter.' : undefined} />
      ) : null}
      {rows.length > 0 ? (
        <Table data-testid="admin-users-table" aria-busy={users.isPlaceholderData || undefined}>
          <THead>
            <TR>
              <TH>Person</TH>
              <TH className="text-right max-sm:hidden">Orgs</TH>
              <TH className="text-right max-md:hidden">API keys</TH>
              <TH className="max-md:hidden">Signed up</TH>
              <TH className="text-right">
                <span className="sr-only">Actions</span>
              </TH>
            </TR>
          </THead>
          <TBody>
            {rows.map((u) => {
              const self = u.id === me;
              return (
                <TR key={u.id} data-testid={`admin-user-${u.email}`}>
                  <TD className="min-w-48">
                    <div className="font-medium text-zinc-900">{u.email}</div>
                    <div className="flex flex-wrap items-center gap-1.5 text-xs text-zinc-500">
                      {u.name ?? ''}
                      {u.isPlatformAdmin ? <Badge tone="accent">platform admin</Badge> : null}
                      {u.disabledAt ? (
                        <Badge tone="danger" title={`${formatDateTime(u.disabledAt)}: ${u.disabledReason ?? ''}`}>
                          disabled
                        </Badge>
                      ) : null}
                      {self ? <Badge>you</Badge> : null}
                    </div>
                    {u.disabledAt && u.disabledReason ? <div className="text-xs text-red-700">Disabled: {u.disabledReason}</div> : null}
                  </TD>
                  <TD className="text-right tabular-nums max-sm:hidden">{u.orgCount}</TD>
                  <TD className="text-right tabular-nums max-md:hidden">{u.activeApiKeys}</TD>
                  <TD className="whitespace-nowrap text-zinc-500 max-md:hidden">{formatDateTime(u.createdAt)}</TD>
                  <TD className="text-right">
                    <div className="flex flex-wrap justify-end gap-1.5">
                      <Button
                        size="sm"
                        variant="outline"
                        disabled={self && u.isPlatformAdmin}
                        title={self && u.isPlatformAdmin ? 'You cannot revoke your own admin role' : undefined}
                        onClick={() => setPending({ user: u, action: u.isPlatformAdmin ? 'revoke' : 'grant' })}
                      >
                        {u.isPlatformAdmin ? 'Revoke admin' : 'Make admin'}
                      </Button>
                      <Button
                        size="sm"
                        variant={u.disabledAt ? 'outline' : 'ghost'}
                        className={u.disabledAt ? undefined : 'text-red-700'}
                        disabled={self}
                        title={self ? 'You cannot disable your own account' : undefined}
                        onClick={() => setPending({ user: u, action: u.disabledAt ? 'enable' : 'disable' })}
                      >
                        {u.disabledAt ? 'Enable' : 'Disable'}
                      </Button>
                    </div>
                  </TD>
                </TR>
              );
            })}
          </TBody>
        </Table>
      ) : null}
      <Pagination page={pages.page} hasPrevious={pages.hasPrevious} hasNext={!!users.data?.nextCursor} onPrevious={pages.previous} onNext={() => pages.next(users.data?.nextCursor)} busy={users.isFetching} />
      <UserActionDialogs pending={pending} onClose={() => setPending(null)} />
    </Card>
  );
}
