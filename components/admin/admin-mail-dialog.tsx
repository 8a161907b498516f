'use client';

import { useQuery } from '@tanstack/react-query';
import * as React from 'react';
import { Button } from '@/components/ui/button';
import { Dialog, DialogContent, DialogHeader } from '@/components/ui/dialog';
import { FormError } from '@/components/ui/field';
import { Skeleton } from '@/components/ui/spinner';
import { api, errorMessage } from '@/lib/client/api';
import { formatDateTime } from '@/lib/client/format';
import type { AdminMailDetail } from '@/lib/client/types';
import { MailStatusBadge } from './mail-status-badge';

/**
 * One message as it was written. The HTML version renders in a sandboxed frame (no scripts, no
 * same-origin access): our templates escape what people typed, and this does not rely on it.
 */
export function AdminMailDialog({ id, onClose }: { id: string | null; onClose: () => void }) {
  const [view, setView] = React.useState<'text' | 'html'>('text');
  const mail = useQuery({
    queryKey: ['admin-mail-one', id],
    queryFn: ({ signal }) => api<{ mail: AdminMailDetail }>(`/api/admin/mail/${id}`, { signal }),
    enabled: id !== null,
  });
  const m = mail.data?.mail;
  const close = (open: boolean) => {
    if (open) return;
    onClose();
    setView('text');
  };

  return (
    <Dialog open={id !== null} onOpenChange={close}>
      <DialogContent className="max-w-2xl">
        <DialogHeader title={m?.subject ?? 'Message'} description={m ? `To ${m.to}` : undefined} />
        {mail.isError ? <FormError message={errorMessage(mail.error)} /> : null}
        {!m && !mail.isError ? <Skeleton className="h-40 w-full" /> : null}
        {m ? (
          <div className="grid gap-3" data-testid="admin-mail-message">
            <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
              <dt className="text-zinc-500">Status</dt>
              <dd>
                <MailStatusBadge status={m.status} />
                {m.attempts > 0 ? <span className="ml-2 text-zinc-500">{m.attempts} attempt{m.attempts === 1 ? '' : 's'}</span> : null}
              </dd>
              <dt className="text-zinc-500">Kind</dt>
              <dd>
                <code className="font-mono text-xs">{m.kind}</code>
              </dd>
              <dt className="text-zinc-500">Written</dt>
              <dd>{formatDateTime(m.createdAt)}</dd>
              {m.sentAt ? (
                <>
                  <dt className="text-zinc-500">Delivered</dt>
                  <dd>{formatDateTime(m.sentAt)}</dd>
                </>
              ) : null}
              {m.nextAttemptAt ? (
                <>
                  <dt className="text-zinc-500">Next attempt</dt>
                  <dd>{formatDateTime(m.nextAttemptAt)}</dd>
                </>
              ) : null}
              {m.error ? (
                <>
                  <dt className="text-zinc-500">Last error</dt>
                  <dd className="break-words text-red-700" data-testid="admin-mail-error">
                    {m.error}
                  </dd>
                </>
              ) : null}
            </dl>
            {m.html ? (
              <fieldset className="flex gap-2" aria-label="Version">
                <Button size="sm" variant={view === 'text' ? 'secondary' : 'outline'} onClick={() => setView('text')}>
                  Text
                </Button>
                <Button size="sm" variant={view === 'html' ? 'secondary' : 'outline'} onClick={() => setView('html')}>
                  HTML
                </Button>
              </fieldset>
            ) : null}
            {view === 'html' && m.html ? (
              <iframe title="HTML version" sandbox="" srcDoc={m.html} className="h-96 w-full rounded-md border border-zinc-200" />
            ) : (
              <pre
                data-testid="admin-mail-text"
                className="max-h-96 overflow-auto whitespace-pre-wrap break-words rounded-md bg-zinc-50 p-3 font-mono text-xs text-zinc-800"
              >
                {m.text}
              </pre>
            )}
          </div>
        ) : null}
      </DialogContent>
    </Dialog>
  );
}
