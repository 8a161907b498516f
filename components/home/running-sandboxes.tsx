'use client';

import { useQuery } from '@tanstack/react-query';
import { Boxes } from 'lucide-react';
import Link from 'next/link';
import { CreateSandboxButton } from '@/components/sandboxes/create-sandbox-dialog';
import { StateBadge } from '@/components/sandboxes/state-badge';
import { Card, CardHeader } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { QueryStates } from '@/components/ui/query-states';
import { api } from '@/lib/client/api';
import { useOrg } from '@/lib/client/org-context';
import { formatMemory, timeLeft } from '@/lib/client/sandbox-format';
import type { SandboxPage } from '@/lib/client/sandbox-types';

const SHOWN = 5;

/** The running sandboxes, newest first, refreshed live; the full list is one click away. */
export function RunningSandboxes() {
  const { org, can } = useOrg();
  const list = useQuery({
    queryKey: ['home-running', org.slug],
    queryFn: ({ signal }) =>
      api<SandboxPage>(`/api/v1/sandboxes?state=running&limit=${SHOWN}`, { org: org.slug, signal }),
    refetchInterval: 5000,
  });
  const rows = list.data?.sandboxes ?? [];
  return (
    <Card data-testid="home-running">
      <CardHeader
        title="Running sandboxes"
        description={list.data?.nextCursor ? `The newest ${SHOWN}.` : undefined}
        actions={
          <Link href={`/${org.slug}/sandboxes`} className="text-sm text-indigo-700 hover:underline">
            All sandboxes
          </Link>
        }
      />
      <QueryStates query={list} columns={3} />
      {list.data && rows.length === 0 ? (
        <EmptyState
          icon={Boxes}
          title="Nothing running"
          description={can('sandboxes:write') ? 'Start one here, or from code with the quick start below.' : 'Sandboxes your team starts show up here.'}
          action={can('sandboxes:write') ? <CreateSandboxButton /> : undefined}
        />
      ) : null}
      {rows.length > 0 ? (
        <ul className="divide-y divide-zinc-100">
          {rows.map((sb) => (
            <li key={sb.id} className="flex flex-wrap items-center gap-x-4 gap-y-1 px-5 py-3 text-sm">
              <Link
                href={`/${org.slug}/sandboxes/${sb.id}`}
                className="font-mono text-xs font-medium text-indigo-700 hover:underline"
              >
                {sb.id}
              </Link>
              <StateBadge state={sb.state} reason={sb.reason} />
              <span className="text-zinc-500">
                {sb.template} · {sb.cpu} vCPU · {formatMemory(sb.memoryMb)}
              </span>
              <span className="ml-auto text-xs text-zinc-500">{timeLeft(sb.expiresAt)}</span>
            </li>
          ))}
        </ul>
      ) : null}
    </Card>
  );
}
