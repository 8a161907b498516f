'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Bot, ScrollText, User, Wrench } from 'lucide-react';
import { Badge } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { FormError } from '@/components/ui/field';
import { Pagination } from '@/components/ui/pagination';
import { TableSkeleton } from '@/components/ui/spinner';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import { api, errorMessage } from '@/lib/client/api';
import { formatDateTime, formatRelative } from '@/lib/client/format';
import { useOrg } from '@/lib/client/org-context';
import type { AuditEvent } from '@/lib/client/types';
import { useCursorPages } from '@/lib/client/use-cursor-pages';
import { describeAction, summarizeData } from './describe';

const PAGE_SIZE = 25;
const ACTOR_ICONS = { user: User, api_key: Bot, system: Wrench } as const;

/** The org's own audit log (the console's Audit page). */
export function AuditTable() {
  const { org } = useOrg();
  return <AuditList path="/api/v1/audit" org={org.slug} queryKey={['audit', org.slug]} />;
}

/**
 * An audit log from any endpoint that pages `{events, nextCursor}`: the org's own, or one org's
 * as a platform admin sees it (GET /api/admin/orgs/:id/audit, no org header).
 */
export function AuditList({ path, org, queryKey }: { path: string; org?: string; queryKey: unknown[] }) {
  const pages = useCursorPages();
  const audit = useQuery({
    queryKey: [...queryKey, pages.cursor],
    queryFn: ({ signal }) => {
      const qs = new URLSearchParams({ limit: String(PAGE_SIZE) });
      if (pages.cursor) qs.set('cursor', pages.cursor);
      return api<{ events: AuditEvent[]; nextCursor: string | null }>(`${path}?${qs}`, { org, signal });
    },
    placeholderData: keepPreviousData,
  });
  const events = audit.data?.events ?? [];

  return (
    <Card>
      {audit.isPending ? <TableSkeleton rows={6} columns={4} /> : null}
      {audit.isError ? (
        <div className="p-4">
          <FormError message={errorMessage(audit.error)} />
        </div>
      ) : null}
      {audit.data && events.length === 0 ? (
        <EmptyState
          icon={ScrollText}
          title="Nothing recorded yet"
          description="Changes to members, keys and settings appear here."
        />
      ) : null}
      {events.length > 0 ? (
        <Table data-testid="audit-table" aria-busy={audit.isPlaceholderData || undefined}>
          <THead>
            <TR>
              <TH>When</TH>
              <TH>Actor</TH>
              <TH>Action</TH>
              <TH>Details</TH>
            </TR>
          </THead>
          <TBody>
            {events.map((e) => {
              const Icon = ACTOR_ICONS[e.actor.type] ?? User;
              return (
                <TR key={e.id}>
                  <TD className="whitespace-nowrap text-zinc-500" title={formatDateTime(e.createdAt)}>
                    {formatRelative(e.createdAt)}
                  </TD>
                  <TD>
                    <span className="flex items-center gap-1.5 text-zinc-800">
                      <Icon className="size-3.5 text-zinc-400" aria-label={e.actor.type.replace('_', ' ')} />
                      {e.actor.label}
                    </span>
                  </TD>
                  <TD>
                    <span className="grid gap-0.5">
                      <span className="text-zinc-900">{describeAction(e.action)}</span>
                      <Badge className="w-fit font-mono">{e.action}</Badge>
                    </span>
                  </TD>
                  <TD className="max-w-sm truncate text-xs text-zinc-500" title={summarizeData(e)}>
                    {summarizeData(e)}
                  </TD>
                </TR>
              );
            })}
          </TBody>
        </Table>
      ) : null}
      <Pagination
        page={pages.page}
        hasPrevious={pages.hasPrevious}
        hasNext={!!audit.data?.nextCursor}
        onPrevious={pages.previous}
        onNext={() => pages.next(audit.data?.nextCursor)}
        busy={audit.isFetching}
      />
    </Card>
  );
}
