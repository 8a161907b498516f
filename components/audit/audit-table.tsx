'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Bot, ScrollText, User, Wrench } from 'lucide-react';
import Link from 'next/link';
import type * as React from 'react';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { Pagination } from '@/components/ui/pagination';
import { QueryStates } from '@/components/ui/query-states';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import { api } from '@/lib/client/api';
import { formatDateTime, formatRelative } from '@/lib/client/format';
import { useOrg } from '@/lib/client/org-context';
import type { AuditEvent } from '@/lib/client/types';
import { useCursorPages } from '@/lib/client/use-cursor-pages';
import { useUrlFilters } from '@/lib/client/use-url-filters';
import { AUDIT_FILTER_KEYS, AuditFilters, auditFilterQuery } from './audit-filters';
import { describeAction, summarizeData, targetHref } from './describe';

const PAGE_SIZE = 25;
const ACTOR_ICONS = { user: User, api_key: Bot, system: Wrench } as const;

/** The org's own audit log (the console's Audit page), with its filters in the URL. */
export function AuditTable() {
  const { org } = useOrg();
  const filters = useUrlFilters(AUDIT_FILTER_KEYS);
  return (
    <AuditList
      path="/api/v1/audit"
      org={org.slug}
      queryKey={['audit', org.slug]}
      query={auditFilterQuery(filters.values)}
      filtersKey={filters.key}
      linkSlug={org.slug}
      toolbar={<AuditFilters value={filters.values} onChange={filters.set} org={org.slug} />}
    />
  );
}

type ListProps = {
  path: string;
  org?: string;
  queryKey: unknown[];
  /** Filters sent with every page; a new `filtersKey` starts again at page one. */
  query?: URLSearchParams;
  filtersKey?: string;
  /** The org slug whose console pages targets link to (none in the admin view). */
  linkSlug?: string;
  toolbar?: React.ReactNode;
};

/**
 * An audit log from any endpoint that pages `{events, nextCursor}`: the org's own, or one org's
 * as a platform admin sees it (GET /api/admin/orgs/:id/audit, no org header).
 */
export function AuditList({ path, org, queryKey, query, filtersKey = '', linkSlug, toolbar }: ListProps) {
  const pages = useCursorPages(filtersKey);
  const audit = useQuery({
    queryKey: [...queryKey, filtersKey, pages.cursor],
    queryFn: ({ signal }) => {
      const qs = new URLSearchParams(query);
      qs.set('limit', String(PAGE_SIZE));
      if (pages.cursor) qs.set('cursor', pages.cursor);
      return api<{ events: AuditEvent[]; nextCursor: string | null }>(`${path}?${qs}`, { org, signal });
    },
    placeholderData: keepPreviousData,
  });
  const events = audit.data?.events ?? [];

  return (
    <Card>
      {toolbar}
      <QueryStates query={audit} rows={6} columns={4} />
      {audit.data && events.length === 0 ? (
        <EmptyState
          icon={ScrollText}
          title={filtersKey ? 'No events match these filters' : 'Nothing recorded yet'}
          description={filtersKey ? 'Clear a filter or widen the dates to see more.' : 'Changes to members, keys and settings appear here.'}
        />
      ) : null}
      {events.length > 0 ? (
        <Table data-testid="audit-table" aria-busy={audit.isPlaceholderData || undefined}>
          <THead>
            <TR>
              <TH>When</TH>
              <TH>Actor</TH>
              <TH>Action</TH>
              <TH>Target</TH>
              <TH>Details</TH>
            </TR>
          </THead>
          <TBody>
            {events.map((e) => {
              const Icon = ACTOR_ICONS[e.actor.type] ?? User;
              const label = describeAction(e.action);
              const href = linkSlug ? targetHref(linkSlug, e.target) : null;
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
                    {/* The label, then the code once (the code alone when there is no label). */}
                    <span className="grid gap-0.5" data-testid="audit-action">
                      {label ? <span className="text-zinc-900">{label}</span> : null}
                      <code className="w-fit font-mono text-xs text-zinc-600">{e.action}</code>
                    </span>
                  </TD>
                  <TD className="text-xs">
                    {e.target ? (
                      href ? (
                        <Link href={href} className="font-mono text-indigo-700 underline-offset-2 hover:underline" data-testid="audit-target">
                          {e.target.type} {e.target.id}
                        </Link>
                      ) : (
                        <span className="font-mono text-zinc-600">
                          {e.target.type} {e.target.id}
                        </span>
                      )
                    ) : (
                      <span className="text-zinc-500">none</span>
                    )}
                  </TD>
                  <TD className="max-w-sm truncate text-xs text-zinc-600" title={summarizeData(e)}>
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
