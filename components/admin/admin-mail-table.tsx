'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Inbox } from 'lucide-react';
import * as React from 'react';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { Select } from '@/components/ui/input';
import { Pagination } from '@/components/ui/pagination';
import { QueryStates } from '@/components/ui/query-states';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import { api } from '@/lib/client/api';
import { formatDateTime } from '@/lib/client/format';
import type { AdminMail, MailStatus } from '@/lib/client/types';
import { useCursorPages } from '@/lib/client/use-cursor-pages';
import { AdminMailDialog } from './admin-mail-dialog';
import { MailStatusBadge } from './mail-status-badge';

const PAGE_SIZE = 25;
type Page = { mail: AdminMail[]; nextCursor: string | null; delivery: { smtp: string | null } };

/** The outbox, newest first; a row opens the message. Refreshes while messages are retrying. */
export function AdminMailTable() {
  const [status, setStatus] = React.useState<'' | MailStatus>('');
  const [openId, setOpenId] = React.useState<string | null>(null);
  const pages = useCursorPages(status);
  const mail = useQuery({
    queryKey: ['admin-mail', status, pages.cursor],
    queryFn: ({ signal }) => {
      const qs = new URLSearchParams({ limit: String(PAGE_SIZE) });
      if (status) qs.set('status', status);
      if (pages.cursor) qs.set('cursor', pages.cursor);
      return api<Page>(`/api/admin/mail?${qs}`, { signal });
    },
    placeholderData: keepPreviousData,
    refetchInterval: (q) => (q.state.data?.mail.some((m) => m.status === 'queued') ? 10_000 : false),
  });
  const list = mail.data?.mail ?? [];
  const smtp = mail.data?.delivery.smtp;

  return (
    <Card>
      <div className="flex flex-wrap items-center justify-between gap-3 border-b border-zinc-200 p-3">
        <p className="text-sm text-zinc-600" data-testid="mail-delivery">
          {mail.data
            ? smtp
              ? `Delivering by SMTP through ${smtp}.`
              : 'No SMTP_URL is set: messages stay here, nothing is delivered.'
            : '\u00a0'}
        </p>
        <Select
          aria-label="Filter by status"
          className="w-auto"
          value={status}
          onChange={(e) => setStatus(e.target.value as '' | MailStatus)}
        >
          <option value="">All messages</option>
          <option value="outbox">In outbox</option>
          <option value="queued">Retrying</option>
          <option value="sent">Sent</option>
          <option value="failed">Failed</option>
        </Select>
      </div>
      <QueryStates query={mail} columns={5} />
      {mail.data && list.length === 0 ? (
        <EmptyState icon={Inbox} title="No messages" description="Invitations and password resets appear here as they are written." />
      ) : null}
      {list.length > 0 ? (
        <Table data-testid="admin-mail-table">
          <THead>
            <TR>
              <TH>Created</TH>
              <TH>Kind</TH>
              <TH>To</TH>
              <TH>Subject</TH>
              <TH>Status</TH>
            </TR>
          </THead>
          <TBody>
            {list.map((m) => (
              <TR key={m.id} data-testid={`admin-mail-${m.id}`}>
                <TD className="whitespace-nowrap text-zinc-500">{formatDateTime(m.createdAt)}</TD>
                <TD>
                  <code className="font-mono text-xs">{m.kind}</code>
                </TD>
                <TD className="max-w-48 truncate">{m.to}</TD>
                <TD className="max-w-72">
                  <button
                    type="button"
                    className="max-w-full truncate text-left font-medium text-indigo-700 hover:underline"
                    onClick={() => setOpenId(m.id)}
                  >
                    {m.subject}
                  </button>
                </TD>
                <TD title={m.error ?? undefined}>
                  <MailStatusBadge status={m.status} />
                </TD>
              </TR>
            ))}
          </TBody>
        </Table>
      ) : null}
      <Pagination
        page={pages.page}
        hasPrevious={pages.hasPrevious}
        hasNext={!!mail.data?.nextCursor}
        onPrevious={pages.previous}
        onNext={() => pages.next(mail.data?.nextCursor)}
        busy={mail.isFetching}
      />
      <AdminMailDialog id={openId} onClose={() => setOpenId(null)} />
    </Card>
  );
}
