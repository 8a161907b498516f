'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Activity, Search } from 'lucide-react';
import * as React from 'react';
import { Badge } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { Input } from '@/components/ui/input';
import { Pagination } from '@/components/ui/pagination';
import { Skeleton, } from '@/components/ui/spinner';
import { QueryStates } from '@/components/ui/query-states';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import { Money } from '@/components/usage/money';
import { api } from '@/lib/client/api';
import { formatHours } from '@/lib/client/money';
import type { AdminUsage } from '@/lib/client/types';
import { useDebounced } from '@/lib/client/use-debounced';

const PAGE_SIZE = 25;

/** Orgs by cost this month; costs grow while sandboxes run, so it refreshes and pages by offset. */
export function AdminUsageTable() {
  const [search, setSearch] = React.useState('');
  const q = useDebounced(search.trim(), 250);
  const [offsets, setOffsets] = React.useState<{ q: string; stack: number[] }>({ q, stack: [0] });
  const stack = offsets.q === q ? offsets.stack : [0];
  const offset = stack.at(-1) ?? 0;
  const usage = useQuery({
    queryKey: ['admin-usage', q, offset],
    queryFn: ({ signal }) => {
      const qs = new URLSearchParams({ limit: String(PAGE_SIZE), offset: String(offset) });
      if (q) qs.set('q', q);
      return api<AdminUsage>(`/api/admin/usage?${qs}`, { signal });
    },
    refetchInterval: 15_000,
    placeholderData: keepPreviousData,
  });
  const data = usage.data;
  const rows = data?.orgs ?? [];

  return (
    <div className="grid gap-5">
      {data ? (
        <div className="grid grid-cols-2 gap-3 sm:grid-cols-3" data-testid="admin-usage-totals">
          <Total label="Cost this month">
            <Money micros={data.totals.costMicros} />
          </Total>
          <Total label="vCPU-hours">{formatHours(data.totals.vcpuHours)}</Total>
          <Total label="Running sandboxes">{data.totals.runningSandboxes}</Total>
        </div>
      ) : (
        <Skeleton className="h-20 w-full" />
      )}
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
        <QueryStates query={usage} columns={4} />
        {data && rows.length === 0 ? (
          <EmptyState
            icon={Activity}
            title={q ? 'No organization matches' : 'No organizations yet'}
            description={q ? 'Try another name or URL name.' : 'Organizations appear here as people sign up.'}
          />
        ) : null}
        {rows.length > 0 ? (
          <Table data-testid="admin-usage-table">
            <THead>
              <TR>
                <TH>Organization</TH>
                <TH className="text-right">Cost</TH>
                <TH className="text-right">vCPU-h</TH>
                <TH className="text-right">Running</TH>
              </TR>
            </THead>
            <TBody>
              {rows.map((o) => (
                <TR key={o.id} data-testid={`admin-usage-${o.slug}`}>
                  <TD>
                    <span className="grid gap-0.5">
                      <span className="flex items-center gap-1.5 font-medium text-zinc-900">
                        {o.name} {o.personal ? <Badge tone="accent">personal</Badge> : null}
                      </span>
                      <code className="font-mono text-xs text-zinc-500">{o.slug}</code>
                    </span>
                  </TD>
                  <TD className="text-right">
                    <Money micros={o.costMicros} className="font-medium text-zinc-900" />
                  </TD>
                  <TD className="text-right tabular-nums">{formatHours(o.vcpuHours)}</TD>
                  <TD className="text-right tabular-nums">{o.runningSandboxes}</TD>
                </TR>
              ))}
            </TBody>
          </Table>
        ) : null}
        <Pagination
          page={stack.length}
          hasPrevious={stack.length > 1}
          hasNext={data?.nextOffset != null}
          onPrevious={() => setOffsets({ q, stack: stack.slice(0, -1) })}
          onNext={() => data?.nextOffset != null && setOffsets({ q, stack: [...stack, data.nextOffset] })}
          busy={usage.isFetching && usage.isPlaceholderData}
        />
      </Card>
    </div>
  );
}

function Total({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <Card className="grid gap-1 px-4 py-3">
      <h2 className="text-xs font-medium text-zinc-500">{label}</h2>
      <span className="text-2xl font-semibold text-zinc-900 tabular-nums">{children}</span>
    </Card>
  );
}
