'use client';

import { Plus, X } from 'lucide-react';
import { Button } from '@/components/ui/button';
import { Input, Label } from '@/components/ui/input';

export type KV = { key: string; value: string };

/** Editable key/value rows (env, metadata); empty keys are dropped when the form is sent. */
export function KeyValueRows({
  label,
  rows,
  onChange,
  error,
  keyPlaceholder = 'KEY',
}: {
  label: string;
  rows: KV[];
  onChange: (rows: KV[]) => void;
  error?: string;
  keyPlaceholder?: string;
}) {
  const set = (i: number, patch: Partial<KV>) => onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <fieldset className="grid gap-1.5">
      <legend className="mb-1.5 flex w-full items-center justify-between">
        <Label asChild>
          <span>{label}</span>
        </Label>
        <Button type="button" variant="ghost" size="sm" onClick={() => onChange([...rows, { key: '', value: '' }])}>
          <Plus /> Add
        </Button>
      </legend>
      {rows.map((r, i) => (
        <div key={i} className="flex gap-2">
          <Input
            aria-label={`${label} key ${i + 1}`}
            placeholder={keyPlaceholder}
            value={r.key}
            onChange={(e) => set(i, { key: e.target.value })}
            className="font-mono"
          />
          <Input
            aria-label={`${label} value ${i + 1}`}
            placeholder="value"
            value={r.value}
            onChange={(e) => set(i, { value: e.target.value })}
          />
          <Button
            type="button"
            variant="ghost"
            size="icon"
            aria-label={`Remove ${label} row ${i + 1}`}
            onClick={() => onChange(rows.filter((_, j) => j !== i))}
          >
            <X />
          </Button>
        </div>
      ))}
      {error ? (
        <p role="alert" className="text-xs font-medium text-red-600">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}

export function kvToRecord(rows: KV[]): Record<string, string> | undefined {
  const kept = rows.filter((r) => r.key.trim() !== '');
  return kept.length ? Object.fromEntries(kept.map((r) => [r.key.trim(), r.value])) : undefined;
}
