'use client';

import { Search, X } from 'lucide-react';
import * as React from 'react';
import { Button } from '@/components/ui/button';
import { Input, Select } from '@/components/ui/input';

export type SandboxFilter = { state: string; q: string; metadata: string[] };

const STATES = ['creating', 'running', 'paused', 'stopped', 'error'];

/**
 * State select, a search box (id, name or metadata; applied on Enter) and metadata `key:value`
 * chips (all must match, like the API's repeated `metadata=`). The table keeps them in the URL.
 */
export function SandboxFilters({ value, onChange }: { value: SandboxFilter; onChange: (f: Partial<SandboxFilter>) => void }) {
  const [search, setSearch] = React.useState(value.q);
  const [draft, setDraft] = React.useState('');
  const [error, setError] = React.useState<string | null>(null);
  // The URL changed underneath (back button, a shared link): show what it says.
  React.useEffect(() => setSearch(value.q), [value.q]);

  function addMeta(e: React.FormEvent) {
    e.preventDefault();
    const t = draft.trim();
    if (!t) return;
    if (!/^[A-Za-z0-9_.-]{1,64}:.*$/s.test(t)) {
      setError('Filter by metadata as key:value');
      return;
    }
    setError(null);
    setDraft('');
    if (!value.metadata.includes(t)) onChange({ metadata: [...value.metadata, t] });
  }

  return (
    <div className="flex flex-wrap items-start gap-3 border-b border-zinc-200 px-4 py-3">
      <form
        aria-label="Search sandboxes"
        className="relative"
        onSubmit={(e) => {
          e.preventDefault();
          onChange({ q: search.trim() });
        }}
      >
        <Search className="pointer-events-none absolute top-2.5 left-2.5 size-4 text-zinc-500" aria-hidden />
        <Input
          type="search"
          aria-label="Search sandboxes by id, name or metadata"
          placeholder="Search id, name, metadata"
          className="w-64 pl-8"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
      </form>
      <Select aria-label="Filter by state" className="w-40" value={value.state} onChange={(e) => onChange({ state: e.target.value })}>
        <option value="">All states</option>
        {STATES.map((s) => (
          <option key={s} value={s}>
            {s}
          </option>
        ))}
      </Select>
      <form onSubmit={addMeta} className="grid gap-1">
        <Input
          aria-label="Filter by metadata"
          placeholder="metadata key:value, Enter"
          className="w-64"
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          aria-invalid={error ? true : undefined}
        />
        {error ? <span className="text-xs text-red-600">{error}</span> : null}
      </form>
      {value.metadata.map((m) => (
        <span key={m} className="inline-flex h-9 items-center gap-1 rounded-md border border-zinc-200 bg-zinc-50 pl-2 font-mono text-xs">
          {m}
          <Button variant="ghost" size="icon" aria-label={`Remove filter ${m}`} onClick={() => onChange({ metadata: value.metadata.filter((x) => x !== m) })}>
            <X />
          </Button>
        </span>
      ))}
    </div>
  );
}
