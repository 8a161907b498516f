'use client';

import { Search } from 'lucide-react';
import * as React from 'react';
import { useUrlFilters } from '@/lib/client/use-url-filters';
import { Button } from './button';
import { Input, Select } from './input';

const KEYS = ['q', 'state'] as const;

/** The search text and state filter of a list, from the URL (`?q=…&state=…`). */
export function useListFilter() {
  const url = useUrlFilters(KEYS);
  return {
    q: url.values.q,
    state: url.values.state,
    set: url.set,
    key: url.key,
    active: !!(url.values.q || url.values.state),
  };
}

/** Case-insensitive "does any of these fields contain the search text". */
export function matchesSearch(q: string, fields: Array<string | null | undefined>): boolean {
  const needle = q.trim().toLowerCase();
  return !needle || fields.some((f) => f?.toLowerCase().includes(needle));
}

/**
 * Search box (applied on Enter: one history entry per search) and an optional state select,
 * both kept in the URL so a filtered list is a shareable link and Back undoes a filter.
 */
export function ListToolbar({
  filter,
  searchLabel,
  states,
  stateLabel = 'Filter by state',
  allLabel = 'All states',
}: {
  filter: ReturnType<typeof useListFilter>;
  searchLabel: string;
  states?: Array<{ value: string; label: string }>;
  stateLabel?: string;
  allLabel?: string;
}) {
  const [text, setText] = React.useState(filter.q);
  React.useEffect(() => setText(filter.q), [filter.q]);
  return (
    <div className="flex flex-wrap items-center gap-3 border-b border-zinc-200 px-4 py-3">
      <form
        aria-label={searchLabel}
        className="relative"
        onSubmit={(e) => {
          e.preventDefault();
          filter.set({ q: text });
        }}
      >
        <Search className="pointer-events-none absolute top-2.5 left-2.5 size-4 text-zinc-500" aria-hidden />
        <Input
          type="search"
          aria-label={searchLabel}
          placeholder="Search, then Enter"
          className="w-64 pl-8"
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
      </form>
      {states ? (
        <Select
          aria-label={stateLabel}
          className="w-40"
          value={filter.state}
          onChange={(e) => filter.set({ state: e.target.value })}
        >
          <option value="">{allLabel}</option>
          {states.map((s) => (
            <option key={s.value} value={s.value}>
              {s.label}
            </option>
          ))}
        </Select>
      ) : null}
      {filter.active ? (
        <Button variant="ghost" size="sm" onClick={() => filter.set({ q: '', state: '' })}>
          Clear filters
        </Button>
      ) : null}
    </div>
  );
}
