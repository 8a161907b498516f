'use client';

import { useQuery } from '@tanstack/react-query';
import { ScrollText } from 'lucide-react';
import { Badge } from '@/components/ui/badge';
import { Card, CardHeader } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { QueryStates } from '@/components/ui/query-states';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import { api } from '@/lib/client/api';
import { formatRelative } from '@/lib/client/format';
import { useOrg } from '@/lib/client/org-context';
import type { ExecLogEntry } from '@/lib/client/sandbox-types';

/** Commands run through the exec API (agents, SDKs), newest first; terminal keystrokes are not logged. */
export function ExecLogCard({ sandboxId }: { sandboxId: string }) {
  const { org } = useOrg();
  const log = useQuery({
    queryKey: ['exec-log', org.slug, sandboxId],
    queryFn: ({ signal }) =>
      api<{ entries: ExecLogEntry[] }>(`/api/v1/sandboxes/${sandboxId}/exec-log`, { org: org.slug, signal }),
    refetchInterval: 5000,
  });
  const rows = log.data?.entries ?? [];
  return (
    <Card>
      <CardHeader title="Exec log" description="Recent commands run through the API, with their exit codes." />
      <QueryStates query={log} columns={3} rows={2} />
      {log.data && rows.length === 0 ? (
        <EmptyState
          icon={ScrollText}
          title="No commands yet"
          description="Commands sent to POST /api/v1/sandboxes/:id/exec show up here."
        />
      ) : null}
      {rows.length > 0 ? (
        <Table data-testid="exec-log">
          <THead>
            <TR>
              <TH>Command</TH>
              <TH>Exit</TH>
              <TH className="text-right">Duration</TH>
              <TH>When</TH>
            </TR>
          </THead>
          <TBody>
            {rows.map((e) => (
              <TR key={e.id}>
                <TD className="max-w-md truncate font-mono text-xs" title={e.cmd}>
                  {e.cmd}
                </TD>
                <TD>
                  {e.exitCode === null ? (
                    <Badge>—</Badge>
                  ) : (
                    <Badge tone={e.exitCode === 0 ? 'success' : 'danger'}>{e.exitCode}</Badge>
                  )}
                </TD>
                <TD className="text-right text-zinc-500">{e.durationMs === null ? '—' : `${e.durationMs} ms`}</TD>
                <TD className="whitespace-nowrap text-zinc-500">{formatRelative(e.createdAt)}</TD>
              </TR>
            ))}
          </TBody>
        </Table>
      ) : null}
    </Card>
  );
}
