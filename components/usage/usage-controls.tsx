'use client';

import * as React from 'react';
import { Button } from '@/components/ui/button';
import { Input, Label, Select } from '@/components/ui/input';
import {
  METADATA_KEY_RE,
  PERIOD_LABELS,
  PERIODS,
  type PeriodKey,
  type UsageSelection,
} from '@/lib/client/usage-period';

type Props = { value: UsageSelection; onChange: (next: UsageSelection) => void };

const GRANULARITIES = [
  ['auto', 'Automatic'],
  ['hour', 'By hour'],
  ['day', 'By day'],
  ['month', 'By month'],
] as const;

/**
 * Period, bucket size and grouping. Native selects (keyboard and screen readers for free); the
 * custom dates and the metadata key are small forms applied on Enter or with their button, so
 * a half-typed date or key never fires a query.
 */
export function UsageControls({ value, onChange }: Props) {
  const metadataKey = value.groupBy.startsWith('metadata.') ? value.groupBy.slice('metadata.'.length) : null;
  const [groupChoice, setGroupChoice] = React.useState(metadataKey === null ? value.groupBy : 'metadata');

  return (
    <div className="flex flex-wrap items-end gap-3" data-testid="usage-controls">
      <Control label="Period" id="usage-period">
        <Select
          id="usage-period"
          className="w-40"
          value={value.period}
          onChange={(e) => onChange({ ...value, period: e.target.value as PeriodKey, granularity: 'auto' })}
        >
          {PERIODS.map((p) => (
            <option key={p} value={p}>
              {PERIOD_LABELS[p]}
            </option>
          ))}
        </Select>
      </Control>
      {value.period === 'custom' ? <CustomRange value={value} onChange={onChange} /> : null}
      <Control label="Buckets" id="usage-granularity">
        <Select
          id="usage-granularity"
          className="w-36"
          value={value.granularity}
          onChange={(e) => onChange({ ...value, granularity: e.target.value as UsageSelection['granularity'] })}
        >
          {GRANULARITIES.map(([v, label]) => (
            <option key={v} value={v}>
              {label}
            </option>
          ))}
        </Select>
      </Control>
      <Control label="Group by" id="usage-group-by">
        <Select
          id="usage-group-by"
          className="w-40"
          value={groupChoice}
          onChange={(e) => {
            setGroupChoice(e.target.value);
            if (e.target.value !== 'metadata') onChange({ ...value, groupBy: e.target.value });
          }}
        >
          <option value="kind">Kind</option>
          <option value="sandbox">Sandbox</option>
          <option value="template">Template</option>
          <option value="isolation">Isolation level</option>
          <option value="metadata">Metadata key…</option>
        </Select>
      </Control>
      {groupChoice === 'metadata' ? (
        <MetadataKeyForm
          initial={metadataKey ?? ''}
          onApply={(key) => onChange({ ...value, groupBy: `metadata.${key}` })}
        />
      ) : null}
    </div>
  );
}

function Control({ label, id, children }: { label: string; id: string; children: React.ReactNode }) {
  return (
    <div className="grid gap-1">
      <Label htmlFor={id} className="text-xs text-zinc-500">
        {label}
      </Label>
      {children}
    </div>
  );
}

function CustomRange({ value, onChange }: Props) {
  const [from, setFrom] = React.useState(value.from);
  const [to, setTo] = React.useState(value.to);
  return (
    <form
      className="flex items-end gap-2"
      onSubmit={(e) => {
        e.preventDefault();
        if (from && to) onChange({ ...value, from, to });
      }}
    >
      <Control label="From" id="usage-from">
        <Input
          id="usage-from"
          type="date"
          className="w-40"
          value={from}
          required
          onChange={(e) => setFrom(e.target.value)}
        />
      </Control>
      <Control label="To (inclusive)" id="usage-to">
        <Input id="usage-to" type="date" className="w-40" value={to} required onChange={(e) => setTo(e.target.value)} />
      </Control>
      <Button type="submit" variant="outline">
        Apply
      </Button>
    </form>
  );
}

function MetadataKeyForm({ initial, onApply }: { initial: string; onApply: (key: string) => void }) {
  const [key, setKey] = React.useState(initial);
  const [error, setError] = React.useState<string | null>(null);
  return (
    <form
      className="grid gap-1"
      onSubmit={(e) => {
        e.preventDefault();
        const k = key.trim();
        if (!METADATA_KEY_RE.test(k)) {
          setError('Up to 64 letters, digits, dots, dashes or underscores');
          return;
        }
        setError(null);
        onApply(k);
      }}
    >
      <Label htmlFor="usage-metadata-key" className="text-xs text-zinc-500">
        Metadata key
      </Label>
      <div className="flex gap-2">
        <Input
          id="usage-metadata-key"
          className="w-44 font-mono"
          placeholder="e.g. team"
          value={key}
          autoFocus={!initial}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'usage-metadata-key-error' : undefined}
          onChange={(e) => setKey(e.target.value)}
        />
        <Button type="submit" variant="outline">
          Group
        </Button>
      </div>
      {error ? (
        <span id="usage-metadata-key-error" role="alert" className="text-xs text-red-600">
          {error}
        </span>
      ) : null}
    </form>
  );
}
