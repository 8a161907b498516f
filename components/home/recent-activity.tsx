'use client';

import { useQuery } from '@tanstack/react-query';
import { ScrollText } from 'lucide-react';
import Link from 'next/link';
import { describeAction } from '@/components/audit/describe';
import { Card, CardHeader } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { QueryStates } from '@/components/ui/query-states';
import { api } from '@/lib/client/api';
import { formatDateTime, formatRelative } from '@/lib/client/format';
import { useOrg } from '@/lib/client/org-context';
import type { AuditEvent } from '@/lib/client/types';

const SHOWN = 6;

/** The last few entries of the audit log: who did what, and when. */
export function RecentActivity() {
  const { org } = useOrg();
  const q = useQuery({
    queryKey: ['home-activity', org.slug],
    queryFn: ({ signal }) =>
      api<{ events: AuditEvent[] }>(`/api/v1/audit?limit=${SHOWN}`, { org: org.slug, signal }),
    refetchInterval: 30_000,
  });
  const events = q.data?.events ?? [];
  return (
    <Card data-testid="home-activity">
      <CardHeader
        title="Recent activity"
        actions={
          <Link href={`/${org.slug}/audit`} className="text-sm text-indigo-700 hover:underline">
            Audit log
          </Link>
        }
      />
      <QueryStates query={q} rows={4} columns={1} />
      {q.data && events.length === 0 ? <EmptyState icon={ScrollText} title="No activity yet" /> : null}
      {events.length > 0 ? (
        <ul className="divide-y divide-zinc-100">
          {events.map((e) => (
            <li key={e.id} className="grid gap-0.5 px-5 py-2.5 text-sm">
              <span className="text-zinc-800">{describeAction(e.action)}</span>
              <span className="text-xs text-zinc-500">
                {e.actor.label} · <time dateTime={e.createdAt} title={formatDateTime(e.createdAt)}>{formatRelative(e.createdAt)}</time>
              </span>
            </li>
          ))}
        </ul>
      ) : null}
    </Card>
  );
}
