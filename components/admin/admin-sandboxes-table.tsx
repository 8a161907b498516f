'use client';

import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { SquareTerminal } from 'lucide-react';
import Link from 'next/link';
import * as React from 'react';
import { toast } from 'sonner';
import { StateBadge } from '@/components/sandboxes/state-badge';
import { Money } from '@/components/usage/money';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { EmptyState } from '@/components/ui/empty-state';
import { Input, Select } from '@/components/ui/input';
import { Pagination } from '@/components/ui/pagination';
import { QueryStates } from '@/components/ui/query-states';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import type { AdminRunner, AdminSandbox } from '@/lib/client/admin-types';
import { api } from '@/lib/client/api';
import { formatDateTime, formatRelative } from '@/lib/client/format';
import { useCursorPages } from '@/lib/client/use-cursor-pages';
import { useDebounced } from '@/lib/client/use-debounced';

const STATES = ['creating', 'running', 'paused', 'stopped', 'error'] as const;
type Pending = { sandbox: AdminSandbox; action: 'stop' | 'delete' } | null;

/**
 * Every org's sandboxes, newest first: state, org, runner, age, cost; filters by state, org and
 * runner (the org filter is fixed on a tenant's page). Stop and delete go through the org's own
 * services and land in its audit log under the admin's name.
 */
export function AdminSandboxesTable({ fixedOrg, initialRunner = '' }: { fixedOrg?: string; initialRunner?: string }) {
  const qc = useQueryClient();
  const [state, setState] = React.useState('');
  const [orgText, setOrgText] = React.useState('');
  const [runner, setRunner] = React.useState(initialRunner);
  const [pending, setPending] = React.useState<Pending>(null);
  const typedOrg = useDebounced(orgText.trim().toLowerCase(), 300);
  const org = fixedOrg ?? typedOrg;
  const pages = useCursorPages(`${state}|${org}|${runner}`);
  const runners = useQuery({ queryKey: ['admin-runners'], queryFn: ({ signal }) => api<{ runners: AdminRunner[] }>('/api/admin/runners', { signal }) });
  const list = useQuery({
    queryKey: ['admin-sandboxes', state, org, runner, pages.cursor],
    queryFn: ({ signal }) => {
      const qs = new URLSearchParams({ limit: '25' });
      if (state) qs.set('state', state);
      if (org) qs.set('org', org);
      if (runner) qs.set('runner', runner);
      if (pages.cursor) qs.set('cursor', pages.cursor);
      return api<{ sandboxes: AdminSandbox[]; nextCursor: string | null }>(`/api/admin/sandboxes?${qs}`, { signal });
    },
    placeholderData: keepPreviousData,
    refetchInterval: 10_000,
  });
  const rows = list.data?.sandboxes ?? [];
  const filtered = !!(state || (!fixedOrg && org) || runner);

  return (
    <Card data-testid="admin-sandboxes">
      <div className="flex flex-wrap gap-2 border-b border-zinc-200 p-3">
        <Select aria-label="State" value={state} onChange={(e) => setState(e.target.value)} className="w-auto">
          <option value="">Any state</option>
          {STATES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </Select>
        {fixedOrg ? null : (
          <Input aria-label="Organization" placeholder="Org URL name or id" value={orgText} onChange={(e) => setOrgText(e.target.value)} className="w-auto min-w-0 flex-1 sm:max-w-56" maxLength={64} />
        )}
        <Select aria-label="Runner" value={runner} onChange={(e) => setRunner(e.target.value)} className="w-auto">
          <option value="">Any runner</option>
          {(runners.data?.runners ?? []).map((r) => (
            <option key={r.id} value={r.id}>
              {r.name} ({r.id})
            </option>
          ))}
        </Select>
      </div>
      <QueryStates query={list} columns={6} />
      {list.data && rows.length === 0 ? (
        <EmptyState icon={SquareTerminal} title={filtered ? 'No sandbox matches' : 'No sandboxes'} description={filtered ? 'Try other filters.' : 'Sandboxes appear here as orgs create them.'} />
      ) : null}
      {rows.length > 0 ? (
        <Table data-testid="admin-sandboxes-table" aria-busy={list.isPlaceholderData || undefined}>
          <THead>
            <TR>
              <TH>Sandbox</TH>
              {fixedOrg ? null : <TH className="max-sm:hidden">Org</TH>}
              <TH className="max-sm:hidden">State</TH>
              <TH className="max-sm:hidden">Runner</TH>
              <TH className="max-sm:hidden">Age</TH>
              <TH className="text-right">Cost</TH>
              <TH className="text-right">
                <span className="sr-only">Actions</span>
              </TH>
            </TR>
          </THead>
          <TBody>
            {rows.map((s) => (
              <TR key={s.id} data-testid={`admin-sandbox-${s.id}`}>
                <TD>
                  <code className="font-mono text-xs text-zinc-900">{s.id}</code>
                  <div className="text-xs text-zinc-500">
                    {s.cpu} vCPU · {s.memoryMb} MiB
                  </div>
                  {/* On a phone the org and state fold in here, so cost and the actions stay in view. */}
                  <div className="mt-1 flex flex-wrap items-center gap-1.5 text-xs sm:hidden">
                    <StateBadge state={s.state} reason={s.reason} />
                    {fixedOrg ? null : (
                      <Link href={`/admin/orgs/${s.org.id}`} className="text-zinc-600 underline">
                        {s.org.slug}
                      </Link>
                    )}
                  </div>
                </TD>
                {fixedOrg ? null : (
                  <TD className="max-sm:hidden">
                    <Link href={`/admin/orgs/${s.org.id}`} className="hover:underline">
                      {s.org.name}
                    </Link>
                    <div className="font-mono text-xs text-zinc-500">{s.org.slug}</div>
                  </TD>
                )}
                <TD className="max-sm:hidden">
                  <StateBadge state={s.state} reason={s.reason} />
                </TD>
                <TD className="font-mono text-xs max-sm:hidden">{s.runnerId}</TD>
                <TD className="whitespace-nowrap text-zinc-500 max-sm:hidden" title={formatDateTime(s.createdAt)}>
                  {formatRelative(s.createdAt)}
                </TD>
                <TD className="text-right">
                  <Money micros={s.costMicros} />
                </TD>
                <TD className="text-right">
                  <div className="flex flex-col items-end gap-1 sm:flex-row sm:justify-end">
                    {s.state === 'running' || s.state === 'paused' ? (
                      <Button size="sm" variant="outline" onClick={() => setPending({ sandbox: s, action: 'stop' })}>
                        Stop
                      </Button>
                    ) : null}
                    <Button size="sm" variant="ghost" className="text-red-700" onClick={() => setPending({ sandbox: s, action: 'delete' })}>
                      Delete
                    </Button>
                  </div>
                </TD>
              </TR>
            ))}
          </TBody>
        </Table>
      ) : null}
      <Pagination page={pages.page} hasPrevious={pages.hasPrevious} hasNext={!!list.data?.nextCursor} onPrevious={pages.previous} onNext={() => pages.next(list.data?.nextCursor)} busy={list.isFetching} />
      <ConfirmDialog
        open={pending !== null}
        onOpenChange={(open) => !open && setPending(null)}
        destructive={pending?.action === 'delete'}
        title={pending?.action === 'delete' ? 'Delete this sandbox?' : 'Stop this sandbox?'}
        description={
          pending?.action === 'delete'
            ? `${pending.sandbox.id} of ${pending.sandbox.org.name}: its processes and files are gone for good. Recorded in the org’s audit log under your name.`
            : `${pending?.sandbox.id} of ${pending?.sandbox.org.name}: its processes end, its files are kept; the org can start it again. Recorded in the org’s audit log under your name.`
        }
        confirmLabel={pending?.action === 'delete' ? 'Delete sandbox' : 'Stop sandbox'}
        onConfirm={async () => {
          if (!pending) return;
          const { sandbox, action } = pending;
          if (action === 'stop') await api(`/api/admin/sandboxes/${sandbox.id}/stop`, { method: 'POST' });
          else await api(`/api/admin/sandboxes/${sandbox.id}`, { method: 'DELETE' });
          toast.success(action === 'stop' ? 'Sandbox stopped' : 'Sandbox deleted');
          await qc.invalidateQueries({ queryKey: ['admin-sandboxes'] });
        }}
      />
    </Card>
  );
}
