'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Boxes } from 'lucide-react';
import Link from 'next/link';
import * as React from 'react';
import { Badge } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { CopyButton } from '@/components/ui/copy-button';
import { EmptyState } from '@/components/ui/empty-state';
import { FormError } from '@/components/ui/field';
import { Pagination } from '@/components/ui/pagination';
import { TableSkeleton } from '@/components/ui/spinner';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import { Money } from '@/components/usage/money';
import { api, errorMessage } from '@/lib/client/api';
import { useOrg } from '@/lib/client/org-context';
import { ageOf, formatMemory, timeLeft } from '@/lib/client/sandbox-format';
import type { SandboxPage } from '@/lib/client/sandbox-types';
import { useCursorPages } from '@/lib/client/use-cursor-pages';
import { SandboxActions } from './sandbox-actions';
import { type SandboxFilter, SandboxFilters } from './sandbox-filters';
import { StateBadge } from './state-badge';
import { sandboxKeys } from './use-sandbox-mutations';

const PAGE_SIZE = 20;

export function SandboxesTable() {
  const { org, can } = useOrg();
  const [filter, setFilter] = React.useState<SandboxFilter>({ state: '', metadata: [] });
  const resetKey = JSON.stringify(filter);
  const pages = useCursorPages(resetKey);
  const list = useQuery({
    queryKey: [...sandboxKeys.all(org.slug), 'list', resetKey, pages.cursor ?? ''],
    queryFn: ({ signal }) => {
      const q = new URLSearchParams({ limit: String(PAGE_SIZE) });
      if (filter.state) q.set('state', filter.state);
      for (const m of filter.metadata) q.append('metadata', m);
      if (pages.cursor) q.set('cursor', pages.cursor);
      return api<SandboxPage>(`/api/v1/sandboxes?${q}`, { org: org.slug, signal });
    },
    // Live: states, countdowns and new sandboxes from agents show up without a reload.
    refetchInterval: 3000,
    placeholderData: keepPreviousData,
  });
  const rows = list.data?.sandboxes ?? [];
  const filtered = filter.state !== '' || filter.metadata.length > 0;

  return (
    <Card>
      <SandboxFilters value={filter} onChange={setFilter} />
      {list.isPending ? <TableSkeleton columns={8} /> : null}
      {list.isError ? (
        <div className="p-4">
          <FormError message={errorMessage(list.error)} />
        </div>
      ) : null}
      {list.data && rows.length === 0 ? (
        <EmptyState
          icon={Boxes}
          title={filtered ? 'No sandboxes match these filters' : 'No sandboxes yet'}
          description={
            filtered ? (
              'Clear a filter to see more.'
            ) : can('sandboxes:write') ? (
              <>
                Create one with the button above, or from code:{' '}
                <code className="rounded bg-zinc-100 px-1 font-mono text-xs">POST /api/v1/sandboxes</code> with an{' '}
                <Link className="text-indigo-600 hover:underline" href={`/${org.slug}/keys`}>
                  API key
                </Link>
                .
              </>
            ) : (
              'Sandboxes created by your team and its agents appear here.'
            )
          }
        />
      ) : null}
      {rows.length > 0 ? (
        <Table data-testid="sandboxes-table">
          <THead>
            <TR>
              <TH>Sandbox</TH>
              <TH>State</TH>
              <TH>Template</TH>
              <TH>Resources</TH>
              <TH>Age</TH>
              <TH>Time left</TH>
              <TH className="text-right">Cost</TH>
              <TH>Metadata</TH>
              <TH className="text-right">
                <span className="sr-only">Actions</span>
              </TH>
            </TR>
          </THead>
          <TBody>
            {rows.map((sb) => (
              <TR key={sb.id} data-testid={`sandbox-row-${sb.id}`}>
                <TD>
                  <div className="flex items-center gap-1">
                    <Link
                      href={`/${org.slug}/sandboxes/${sb.id}`}
                      className="font-mono text-xs font-medium text-indigo-700 hover:underline"
                    >
                      {sb.id}
                    </Link>
                    <CopyButton
                      value={sb.id}
                      label={`Copy ${sb.id}`}
                      iconOnly
                      className="h-6 border-0 px-1.5 shadow-none"
                    />
                  </div>
                </TD>
                <TD>
                  <StateBadge state={sb.state} reason={sb.reason} />
                </TD>
                <TD className="text-zinc-600">{sb.template}</TD>
                <TD className="whitespace-nowrap text-zinc-600">
                  {sb.cpu} vCPU · {formatMemory(sb.memoryMb)}
                </TD>
                <TD className="whitespace-nowrap text-zinc-500">{ageOf(sb.createdAt)}</TD>
                <TD className="whitespace-nowrap text-zinc-500">
                  {sb.state === 'stopped' ? '—' : timeLeft(sb.expiresAt)}
                </TD>
                <TD className="text-right" data-testid="sandbox-row-cost">
                  <Money micros={sb.costMicros} />
                </TD>
                <TD>
                  <div className="flex max-w-56 flex-wrap gap-1">
                    {Object.entries(sb.metadata ?? {}).map(([k, v]) => (
                      <button
                        key={k}
                        type="button"
                        title="Filter by this"
                        onClick={() =>
                          setFilter((f) => ({ ...f, metadata: [...new Set([...f.metadata, `${k}:${v}`])] }))
                        }
                      >
                        <Badge className="font-mono">
                          {k}={v}
                        </Badge>
                      </button>
                    ))}
                  </div>
                </TD>
                <TD className="text-right">
                  <SandboxActions sandbox={sb} />
                </TD>
              </TR>
            ))}
          </TBody>
        </Table>
      ) : null}
      <Pagination
        page={pages.page}
        hasPrevious={pages.hasPrevious}
        hasNext={!!list.data?.nextCursor}
        onPrevious={pages.previous}
        onNext={() => pages.next(list.data?.nextCursor)}
        busy={list.isFetching && list.isPlaceholderData}
      />
    </Card>
  );
}
