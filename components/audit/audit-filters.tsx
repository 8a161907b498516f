'use client';

import { Download } from 'lucide-react';
import * as React from 'react';
import { toast } from 'sonner';
import { Button } from '@/components/ui/button';
import { Input, Label, Select } from '@/components/ui/input';
import { apiResponse, errorMessage, saveBlob } from '@/lib/client/api';
import { ACTION_FAMILIES, KNOWN_ACTIONS } from './describe';

export const AUDIT_FILTER_KEYS = ['actor', 'action', 'target', 'from', 'to'] as const;
export type AuditFilterValues = Record<(typeof AUDIT_FILTER_KEYS)[number], string>;

export function auditFilterQuery(f: AuditFilterValues): URLSearchParams {
  const q = new URLSearchParams();
  for (const k of AUDIT_FILTER_KEYS) if (f[k]) q.set(k, f[k]);
  return q;
}

/**
 * Actor, action, target and a date range. Text fields apply on Enter or "Apply" (one history
 * entry per search, not per keystroke); the action select and the dates apply at once.
 */
export function AuditFilters({
  value,
  onChange,
  org,
}: {
  value: AuditFilterValues;
  onChange: (patch: Partial<AuditFilterValues>) => void;
  org: string;
}) {
  const [actor, setActor] = React.useState(value.actor);
  const [target, setTarget] = React.useState(value.target);
  const [exporting, setExporting] = React.useState(false);
  // The URL changed underneath (back button, a shared link): show what it says.
  React.useEffect(() => setActor(value.actor), [value.actor]);
  React.useEffect(() => setTarget(value.target), [value.target]);
  const any = AUDIT_FILTER_KEYS.some((k) => value[k]);

  async function exportCsv() {
    setExporting(true);
    try {
      const q = auditFilterQuery(value);
      q.set('format', 'csv');
      const res = await apiResponse(`/api/v1/audit?${q}`, { org });
      const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? 'warren-audit.csv';
      saveBlob(await res.blob(), name);
    } catch (err) {
      toast.error(`Could not export the audit log: ${errorMessage(err)}`);
    } finally {
      setExporting(false);
    }
  }

  return (
    <form
      className="flex flex-wrap items-end gap-3 border-b border-zinc-200 px-4 py-3"
      aria-label="Filter the audit log"
      onSubmit={(e) => {
        e.preventDefault();
        onChange({ actor, target });
      }}
    >
      <div className="grid gap-1">
        <Label htmlFor="audit-actor">Actor</Label>
        <Input id="audit-actor" className="w-48" placeholder="e-mail or key name" value={actor} onChange={(e) => setActor(e.target.value)} />
      </div>
      <div className="grid gap-1">
        <Label htmlFor="audit-action">Action</Label>
        <Select id="audit-action" className="w-52" value={value.action} onChange={(e) => onChange({ action: e.target.value, actor, target })}>
          <option value="">All actions</option>
          {ACTION_FAMILIES.map((f) => (
            <option key={f} value={`${f}.*`}>
              All {f.replace('_', ' ')} actions
            </option>
          ))}
          {KNOWN_ACTIONS.map((a) => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
        </Select>
      </div>
      <div className="grid gap-1">
        <Label htmlFor="audit-target">Target id</Label>
        <Input id="audit-target" className="w-48 font-mono" value={target} onChange={(e) => setTarget(e.target.value)} />
      </div>
      <div className="grid gap-1">
        <Label htmlFor="audit-from">From</Label>
        <Input id="audit-from" type="date" className="w-40" value={value.from} onChange={(e) => onChange({ from: e.target.value, actor, target })} />
      </div>
      <div className="grid gap-1">
        <Label htmlFor="audit-to">To (inclusive)</Label>
        <Input id="audit-to" type="date" className="w-40" value={value.to} onChange={(e) => onChange({ to: e.target.value, actor, target })} />
      </div>
      <Button type="submit" variant="outline">
        Apply
      </Button>
      {any ? (
        <Button type="button" variant="ghost" onClick={() => onChange({ actor: '', action: '', target: '', from: '', to: '' })}>
          Clear
        </Button>
      ) : null}
      <Button type="button" variant="outline" className="ml-auto" pending={exporting} onClick={exportCsv}>
        {exporting ? null : <Download aria-hidden />} Export CSV
      </Button>
    </form>
  );
}
