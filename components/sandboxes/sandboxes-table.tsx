'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Boxes } from 'lucide-react';
import Link from 'next/link';
import * as React from 'react';
import { Badge } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { CopyButton } from '@/components/ui/copy-button';
import { EmptyState } from '@/components/ui/empty-state';
import { Pagination } from '@/components/ui/pagination';
import { QueryStates } from '@/components/ui/query-states';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import { Money } from '@/components/usage/money';
import { api } from '@/lib/client/api';
import { useOrg } from '@/lib/client/org-context';
import { ageOf, formatMemory, timeLeft } from '@/lib/client/sandbox-format';
import type { SandboxPage } from '@/lib/client/sandbox-types';
import { useCursorPages } from '@/lib/client/use-cursor-pages';
import { useUrlFilters } from '@/lib/client/use-url-filters';
import { BulkActions } from './bulk-actions';
import { SandboxActions } from './sandbox-actions';
import { type SandboxFilter, SandboxFilters } from './sandbox-filters';
import { StateBadge } from './state-badge';
import { sandboxKeys } from './use-sandbox-mutations';

const PAGE_SIZE = 20;
const URL_KEYS = ['state', 'q', 'metadata'] as const;

export function SandboxesTable() {
  const { org, can } = useOrg();
  // The filters live in the URL: a filtered list is a link to share, and Back undoes a filter.
  const url = useUrlFilters(URL_KEYS);
  const filter: SandboxFilter = { state: url.values.state, q: url.values.q, metadata: url.getAll('metadata') };
  const setFilter = (patch: Partial<SandboxFilter>) => url.set(patch);
  const resetKey = url.key;
  const pages = useCursorPages(resetKey);
  const [selected, setSelected] = React.useState<Set<string>>(new Set());
  const canBulk = can('sandboxes:write') || can('sandboxes:delete');
  const list = useQuery({
    queryKey: [...sandboxKeys.all(org.slug), 'list', resetKey, pages.cursor ?? ''],
    queryFn: ({ signal }) => {
      const q = new URLSearchParams({ limit: String(PAGE_SIZE) });
      if (filter.state) q.set('state', filter.state);
      if (filter.q) q.set('q', filter.q);
      for (const m of filter.metadata) q.append('metadata', m);
      if (pages.cursor) q.set('cursor', pages.cursor);
      return api<SandboxPage>(`/api/v1/sandboxes?${q}`, { org: org.slug, signal });
    },
    // Live: states, countdowns and new sandboxes from agents show up without a reload.
    refetchInterval: 3000,
    placeholderData: keepPreviousData,
  });
  const rows = list.data?.sandboxes ?? [];
  const filtered = filter.state !== '' || filter.q !== '' || filter.metadata.length > 0;
  // Only rows on this page can stay selected: a filter or a page change narrows the selection.
  const visible = new Set(rows.map((r) => r.id));
  const chosen = [...selected].filter((id) => visible.has(id));
  const allChosen = rows.length > 0 && chosen.length === rows.length;
  const toggle = (id: string) =>
    setSelected((prev) => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  return (
    <Card>
      <SandboxFilters value={filter} onChange={setFilter} />
      {canBulk ? <BulkActions selected={chosen} onDone={() => setSelected(new Set())} /> : null}
      <QueryStates query={list} columns={8} />
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
              {canBulk ? (
                <TH className="w-8">
                  <input
                    type="checkbox"
                    aria-label="Select every sandbox on this page"
                    className="size-4 accent-indigo-600"
                    checked={allChosen}
                    onChange={() => setSelected(allChosen ? new Set() : new Set(rows.map((r) => r.id)))}
                  />
                </TH>
              ) : null}
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
                {canBulk ? (
                  <TD className="w-8">
                    <input
                      type="checkbox"
                      aria-label={`Select ${sb.name ?? sb.id}`}
                      className="size-4 accent-indigo-600"
                      checked={selected.has(sb.id)}
                      onChange={() => toggle(sb.id)}
                    />
                  </TD>
                ) : null}
                <TD>
                  {sb.name ? <div className="text-sm font-medium text-zinc-900">{sb.name}</div> : null}
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
                <TD className="text-zinc-600">
                  {sb.template}
                  {sb.isolation === 'gvisor' ? (
                    <span className="ml-1.5 rounded bg-indigo-50 px-1 py-0.5 text-[11px] text-indigo-700" title="Isolated by gVisor (a user-space kernel)">
                      gVisor
                    </span>
                  ) : null}
                </TD>
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
                        className="max-w-full text-left"
                        onClick={() => setFilter({ metadata: [...new Set([...filter.metadata, `${k}:${v}`])] })}
                      >
                        {/* A long tag wraps rather than widening a phone's card. */}
                        <Badge className="max-w-full font-mono whitespace-normal break-all">
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
