'use client';

import { ArrowDown, ArrowUp, ArrowUpDown } from 'lucide-react';
import { TH } from '@/components/ui/table';
import { cn } from '@/components/ui/cn';

export type Sort<K extends string> = { key: K; dir: 'asc' | 'desc' };

/**
 * A column header that sorts: a real button (Tab, Enter, Space), `aria-sort` on the header for
 * screen readers. A second press on the current column flips the direction.
 */
export function SortHeader<K extends string>({
  label,
  column,
  sort,
  onSort,
  firstDir = 'desc',
  className,
}: {
  label: string;
  column: K;
  sort: Sort<K>;
  onSort: (next: Sort<K>) => void;
  firstDir?: 'asc' | 'desc';
  className?: string;
}) {
  const current = sort.key === column;
  const Icon = !current ? ArrowUpDown : sort.dir === 'asc' ? ArrowUp : ArrowDown;
  return (
    <TH aria-sort={current ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'} className={className}>
      <button
        type="button"
        onClick={() => onSort({ key: column, dir: current ? (sort.dir === 'asc' ? 'desc' : 'asc') : firstDir })}
        className={cn(
          'inline-flex items-center gap-1 rounded-sm uppercase hover:text-zinc-900 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500',
          current && 'text-zinc-900',
        )}
      >
        {label}
        <Icon className="size-3" aria-hidden />
      </button>
    </TH>
  );
}
