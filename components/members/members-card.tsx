'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Users } from 'lucide-react';
import * as React from 'react';
import { toast } from 'sonner';
import { Badge } from '@/components/ui/badge';
import { Card, CardHeader } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { Pagination, pageSlice } from '@/components/ui/pagination';
import { ROLES } from '@/lib/auth/permissions';
import { ListToolbar, matchesSearch, useListFilter } from '@/components/ui/list-toolbar';
import { QueryStates } from '@/components/ui/query-states';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import { api, errorMessage } from '@/lib/client/api';
import { formatDateTime } from '@/lib/client/format';
import { useOrg } from '@/lib/client/org-context';
import { ROLE_LABELS } from '@/lib/client/roles';
import type { Member } from '@/lib/client/types';
import { RemoveMemberButton, RoleCell } from './member-actions';

const PAGE_SIZE = 20;

export function MembersCard() {
  const { org } = useOrg();
  const [page, setPage] = React.useState(1);
  const members = useQuery({
    queryKey: ['members', org.slug],
    queryFn: ({ signal }) => api<{ members: Member[] }>('/api/v1/members', { org: org.slug, signal }),
  });
  const all = members.data?.members ?? [];
  const filter = useListFilter();
  const list = all.filter(
    (m) => matchesSearch(filter.q, [m.email, m.name]) && (!filter.state || m.role === filter.state),
  );
  // A new filter starts at page one.
  const [pageKey, setPageKey] = React.useState(filter.key);
  if (pageKey !== filter.key) {
    setPageKey(filter.key);
    setPage(1);
  }
  const { rows, pages } = pageSlice(list, page, PAGE_SIZE);

  return (
    <Card>
      <CardHeader
        title="People"
        description={members.data ? `${all.length} member${all.length === 1 ? '' : 's'}` : null}
      />
      <ListToolbar
        filter={filter}
        searchLabel="Search members by e-mail or name"
        states={ROLES.map((r) => ({ value: r, label: r }))}
        stateLabel="Filter by role"
        allLabel="All roles"
      />
      <QueryStates query={members} columns={4} />
      {members.data && all.length > 0 && list.length === 0 ? (
        <EmptyState icon={Users} title="No members match these filters" description="Clear a filter to see more." />
      ) : null}
      {members.data && all.length === 0 ? (
        <EmptyState icon={Users} title="No members" description="Invite people with the Invite button." />
      ) : null}
      {rows.length > 0 ? (
        <Table data-testid="members-table">
          <THead>
            <TR>
              <TH>Member</TH>
              <TH>Role</TH>
              <TH>Joined</TH>
              <TH className="text-right">
                <span className="sr-only">Actions</span>
              </TH>
            </TR>
          </THead>
          <TBody>
            {rows.map((m) => (
              <MemberRow key={m.userId} member={m} />
            ))}
          </TBody>
        </Table>
      ) : null}
      <Pagination
        page={page}
        hasPrevious={page > 1}
        hasNext={page < pages}
        onPrevious={() => setPage((p) => p - 1)}
        onNext={() => setPage((p) => p + 1)}
      />
    </Card>
  );
}

function MemberRow({ member }: { member: Member }) {
  const { org, user } = useOrg();
  const queryClient = useQueryClient();
  const self = member.userId === user.id;
  const changeRole = useMutation({
    mutationFn: (role: string) =>
      api(`/api/v1/members/${member.userId}`, { method: 'PATCH', body: { role }, org: org.slug }),
    onSuccess: (_data, role) => toast.success(`${member.email} is now ${ROLE_LABELS[role as Member['role']] ?? role}`),
    onError: (err) => toast.error(errorMessage(err)),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['members', org.slug] }),
  });

  return (
    <TR data-testid={`member-${member.email}`}>
      <TD>
        <div className="grid">
          <span className="flex items-center gap-2 font-medium text-zinc-900">
            {member.name || member.email}
            {self ? <Badge tone="accent">you</Badge> : null}
          </span>
          {member.name ? <span className="text-xs text-zinc-500">{member.email}</span> : null}
        </div>
      </TD>
      <TD>
        <RoleCell member={member} self={self} mutation={changeRole} />
      </TD>
      <TD className="whitespace-nowrap text-zinc-500">{formatDateTime(member.joinedAt)}</TD>
      <TD className="text-right">
        <RemoveMemberButton member={member} self={self} />
      </TD>
    </TR>
  );
}
