'use client';

import { ArrowDown, ArrowUp } from 'lucide-react';
import Link from 'next/link';
import * as React from 'react';
import { Badge } from '@/components/ui/badge';
import { Card, CardHeader } from '@/components/ui/card';
import { cn } from '@/components/ui/cn';
import { Pagination, pageSlice } from '@/components/ui/pagination';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import { formatHours } from '@/lib/client/money';
import { useOrg } from '@/lib/client/org-context';
import type { UsageGroup } from '@/lib/client/usage-types';
import { Money } from './money';

const PAGE_SIZE = 10;
type SortKey = 'costMicros' | 'vcpuHours' | 'memoryGibHours' | 'storageGibHours';
const COLUMNS: Array<{ key: SortKey; label: string; className?: string }> = [
  { key: 'costMicros', label: 'Cost' },
  { key: 'vcpuHours', label: 'vCPU-h', className: 'max-sm:hidden' },
  { key: 'memoryGibHours', label: 'Memory GiB-h', className: 'max-md:hidden' },
  { key: 'storageGibHours', label: 'Storage GiB-h', className: 'max-md:hidden' },
];

/**
 * The period's sandboxes (and snapshots' storage) by cost, sortable by any amount. Deleted
 * sandboxes stay, marked, but are not links: their page no longer exists.
 */
export function TopSandboxesTable({ groups }: { groups: UsageGroup[] }) {
  const [sort, setSort] = React.useState<{ key: SortKey; desc: boolean }>({ key: 'costMicros', desc: true });
  const [page, setPage] = React.useState(1);
  const sorted = React.useMemo(
    () =>
      [...groups].sort(
        (a, b) => (sort.desc ? b[sort.key] - a[sort.key] : a[sort.key] - b[sort.key]) || a.group.localeCompare(b.group),
      ),
    [groups, sort],
  );
  const { rows, pages } = pageSlice(sorted, page, PAGE_SIZE);
  const current = Math.min(page, pages);

  function sortBy(key: SortKey) {
    setSort((s) => (s.key === key ? { key, desc: !s.desc } : { key, desc: true }));
    setPage(1);
  }

  return (
    <Card>
      <CardHeader
        title="Top sandboxes by cost"
        description={`${groups.length} in this period, deleted ones included.`}
      />
      <Table data-testid="usage-sandboxes-table">
        <THead>
          <TR>
            <TH>Sandbox</TH>
            <TH className="max-sm:hidden">Template</TH>
            {COLUMNS.map((c) => (
              <TH
                key={c.key}
                className={cn('text-right', c.className)}
                aria-sort={sort.key === c.key ? (sort.desc ? 'descending' : 'ascending') : 'none'}
              >
                <button
                  type="button"
                  onClick={() => sortBy(c.key)}
                  className="inline-flex items-center gap-1 uppercase hover:text-zinc-900 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500"
                >
                  {c.label}
                  {sort.key === c.key ? (
                    sort.desc ? (
                      <ArrowDown className="size-3" aria-hidden />
                    ) : (
                      <ArrowUp className="size-3" aria-hidden />
                    )
                  ) : null}
                </button>
              </TH>
            ))}
          </TR>
        </THead>
        <TBody>
          {rows.map((g) => (
            <TR key={g.group} data-testid={`usage-row-${g.group}`}>
              <TD>
                <SubjectCell group={g} />
              </TD>
              <TD className="text-zinc-600 max-sm:hidden">{g.sandbox?.template ?? '—'}</TD>
              <TD className="text-right">
                <Money micros={g.costMicros} className="font-medium text-zinc-900" />
              </TD>
              <TD className="text-right tabular-nums max-sm:hidden">{formatHours(g.vcpuHours)}</TD>
              <TD className="text-right tabular-nums max-md:hidden">
                {formatHours(g.memoryGibHours + g.pausedGibHours)}
              </TD>
              <TD className="text-right tabular-nums max-md:hidden">{formatHours(g.storageGibHours)}</TD>
            </TR>
          ))}
        </TBody>
      </Table>
      <Pagination
        page={current}
        hasPrevious={current > 1}
        hasNext={current < pages}
        onPrevious={() => setPage(current - 1)}
        onNext={() => setPage(current + 1)}
      />
    </Card>
  );
}

function SubjectCell({ group: g }: { group: UsageGroup }) {
  const { org, can } = useOrg();
  if (g.group.startsWith('snap_')) {
    return (
      <span className="flex flex-wrap items-center gap-1.5">
        <span className="font-mono text-xs">{g.group.slice(5)}</span>
        <Badge>snapshot</Badge>
      </span>
    );
  }
  const deleted = g.sandbox?.deleted ?? true;
  return (
    <span className="flex flex-wrap items-center gap-1.5">
      {deleted || !can('sandboxes:read') ? (
        <span className="font-mono text-xs text-zinc-600">{g.group}</span>
      ) : (
        <Link
          href={`/${org.slug}/sandboxes/${g.group}`}
          className="font-mono text-xs font-medium text-indigo-700 hover:underline"
        >
          {g.group}
        </Link>
      )}
      {deleted ? <Badge data-testid="usage-deleted-badge">deleted</Badge> : null}
    </span>
  );
}
