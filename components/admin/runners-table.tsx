'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Server } from 'lucide-react';
import Link from 'next/link';
import * as React from 'react';
import { toast } from 'sonner';
import { UsageBar } from '@/components/billing/usage-bar';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { EmptyState } from '@/components/ui/empty-state';
import { QueryStates } from '@/components/ui/query-states';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import type { AdminRunner } from '@/lib/client/admin-types';
import { api } from '@/lib/client/api';
import { formatDateTime, formatRelative } from '@/lib/client/format';

/** The reconciler asks every runner every 10 s: a minute without an answer is worth a look. */
const STALE_MS = 60_000;
const TONE = { ready: 'success', unreachable: 'danger', draining: 'warning' } as const;

function Meter({ used, total, unit, label }: { used: number; total: number; unit: string; label: string }) {
  return (
    <div className="grid min-w-28 gap-1">
      <span className="text-xs tabular-nums text-zinc-700">
        {+used.toFixed(2)} / {total > 0 ? `${+total.toFixed(2)} ${unit}` : `no limit ${unit}`}
      </span>
      <UsageBar used={used} limit={total} label={label} />
    </div>
  );
}

/** Registered runners: what each last reported, how fresh that is, and drain or undrain. */
export function RunnersTable() {
  const qc = useQueryClient();
  const [pending, setPending] = React.useState<{ runner: AdminRunner; action: 'drain' | 'undrain' } | null>(null);
  const runners = useQuery({
    queryKey: ['admin-runners'],
    queryFn: ({ signal }) => api<{ runners: AdminRunner[] }>('/api/admin/runners', { signal }),
    refetchInterval: 10_000,
  });
  const list = runners.data?.runners ?? [];
  return (
    <Card>
      <QueryStates query={runners} columns={5} />
      {runners.data && list.length === 0 ? (
        <EmptyState icon={Server} title="No runners registered" description="The console registers its own runner once it answers; add others with `warren runner add`." />
      ) : null}
      {list.length > 0 ? (
        <Table data-testid="admin-runners-table">
          <THead>
            <TR>
              <TH>Runner</TH>
              <TH className="max-sm:hidden">State</TH>
              <TH>Sandboxes</TH>
              <TH className="max-md:hidden">vCPUs</TH>
              <TH className="max-md:hidden">Memory</TH>
              <TH className="max-sm:hidden">Heartbeat</TH>
              <TH className="text-right max-sm:hidden">
                <span className="sr-only">Actions</span>
              </TH>
            </TR>
          </THead>
          <TBody>
            {list.map((r) => {
              const c = r.capacity;
              const stale = !r.heartbeatAt || Date.now() - Date.parse(r.heartbeatAt) > STALE_MS;
              const live = Object.values(r.sandboxes).reduce((s, n) => s + (n ?? 0), 0);
              return (
                <TR key={r.id} data-testid={`admin-runner-${r.id}`}>
                  <TD className="min-w-40">
                    <div className="font-medium text-zinc-900">{r.name}</div>
                    <div className="font-mono text-xs break-all text-zinc-500">{r.id} · {r.url}</div>
                    {/* On a phone the state and the action fold in here, beside the name. */}
                    <div className="mt-1.5 flex items-center gap-2 sm:hidden">
                      <Badge tone={TONE[r.state]}>{r.state}</Badge>
                      <Button size="sm" variant="outline" onClick={() => setPending({ runner: r, action: r.state === 'draining' ? 'undrain' : 'drain' })}>
                        {r.state === 'draining' ? 'Undrain' : 'Drain'}
                      </Button>
                    </div>
                  </TD>
                  <TD className="max-sm:hidden">
                    <Badge tone={TONE[r.state]} data-testid="runner-state">
                      {r.state}
                    </Badge>
                  </TD>
                  <TD>
                    {c ? <Meter used={c.sandboxes} total={c.maxSandboxes} unit="" label="Sandboxes on the runner" /> : <span className="text-zinc-400">not reported</span>}
                    <Link href={`/admin/sandboxes?runner=${r.id}`} className="text-xs text-indigo-700 hover:underline">
                      {live} placed here
                    </Link>
                  </TD>
                  <TD className="max-md:hidden">{c ? <Meter used={c.cpuCommitted} total={c.cpuTotal} unit="vCPUs" label="vCPUs committed" /> : '—'}</TD>
                  <TD className="max-md:hidden">{c ? <Meter used={c.memoryMbCommitted / 1024} total={c.memoryMbTotal / 1024} unit="GiB" label="Memory committed" /> : '—'}</TD>
                  <TD className="whitespace-nowrap max-sm:hidden" title={formatDateTime(r.heartbeatAt)}>
                    <span className={stale ? 'text-red-700' : 'text-zinc-500'}>{r.heartbeatAt ? formatRelative(r.heartbeatAt) : 'never'}</span>
                  </TD>
                  <TD className="text-right max-sm:hidden">
                    <Button size="sm" variant="outline" onClick={() => setPending({ runner: r, action: r.state === 'draining' ? 'undrain' : 'drain' })}>
                      {r.state === 'draining' ? 'Undrain' : 'Drain'}
                    </Button>
                  </TD>
                </TR>
              );
            })}
          </TBody>
        </Table>
      ) : null}
      <ConfirmDialog
        open={pending !== null}
        onOpenChange={(open) => !open && setPending(null)}
        destructive={false}
        title={pending?.action === 'drain' ? `Drain ${pending.runner.name}?` : `Undrain ${pending?.runner.name}?`}
        description={
          pending?.action === 'drain'
            ? 'No new sandboxes are placed on it (forks of its snapshots are refused too). The sandboxes already there keep running and answering: stop or delete them, or wait for them to end, before taking the host down.'
            : 'It takes new sandboxes again as soon as it answers the next health check.'
        }
        confirmLabel={pending?.action === 'drain' ? 'Drain runner' : 'Undrain runner'}
        onConfirm={async () => {
          if (!pending) return;
          await api(`/api/admin/runners/${pending.runner.id}/${pending.action}`, { method: 'POST' });
          toast.success(pending.action === 'drain' ? 'Runner draining' : 'Runner back in placement');
          await qc.invalidateQueries({ queryKey: ['admin-runners'] });
        }}
      />
    </Card>
  );
}
