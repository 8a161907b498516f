'use client';

import { useQuery } from '@tanstack/react-query';
import { ExternalLink, FileText } from 'lucide-react';
import { Badge } from '@/components/ui/badge';
import { Card, CardHeader } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { FormError } from '@/components/ui/field';
import { Pagination } from '@/components/ui/pagination';
import { TableSkeleton } from '@/components/ui/spinner';
import { api, errorMessage } from '@/lib/client/api';
import type { Invoice, InvoicesResponse } from '@/lib/client/billing-types';
import { useCursorPages } from '@/lib/client/use-cursor-pages';
import { useOrg } from '@/lib/client/org-context';
import { formatMicros } from '@/lib/stripe/currency';

const PAGE = 10;
const day = (iso: string | null) => (iso ? new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(iso)) : '—');

function statusBadge(inv: Invoice) {
  if (inv.status === 'paid') return <Badge tone="success">Paid</Badge>;
  if (inv.status === 'open') return inv.paymentFailedAt ? <Badge tone="danger">Payment failed</Badge> : <Badge tone="warning">Open</Badge>;
  return <Badge>{inv.status === 'void' ? 'Void' : 'Uncollectible'}</Badge>;
}

/**
 * The org's invoices as Stripe sent them (a local copy), newest first, ten a page. Each row is a
 * small grid that stacks on a phone; the links open Stripe's own invoice page and PDF.
 */
export function InvoicesCard({ enabled, fast }: { enabled: boolean; fast?: boolean }) {
  const { org } = useOrg();
  const pages = useCursorPages(org.slug);
  const q = useQuery({
    queryKey: ['invoices', org.slug, pages.cursor],
    queryFn: ({ signal }) => api<InvoicesResponse>(`/api/v1/billing/invoices?limit=${PAGE}${pages.cursor ? `&cursor=${encodeURIComponent(pages.cursor)}` : ''}`, { org: org.slug, signal }),
    refetchInterval: fast ? 2_000 : 30_000,
  });
  return (
    <Card data-testid="invoices-card">
      <CardHeader title="Invoices" description="From Stripe: the plan’s price and usage beyond your credit." />
      {q.isPending ? (
        <TableSkeleton rows={3} columns={3} />
      ) : q.isError ? (
        <div className="px-5 py-4">
          <FormError message={errorMessage(q.error)} onRetry={() => void q.refetch()} />
        </div>
      ) : q.data.invoices.length === 0 ? (
        <EmptyState
          icon={FileText}
          title="No invoices yet"
          description={enabled ? 'Invoices appear here once Stripe issues one.' : 'Invoices appear here once payments through Stripe are enabled.'}
        />
      ) : (
        <ul className="divide-y divide-zinc-100">
          {q.data.invoices.map((inv) => (
            <li key={inv.id} data-testid="invoice-row" className="grid grid-cols-[1fr_auto] items-center gap-x-4 gap-y-1 px-5 py-3 text-sm sm:grid-cols-[9rem_1fr_7rem_8rem_auto]">
              <span className="font-medium text-zinc-900">{inv.number ?? inv.id}</span>
              <span className="justify-self-end sm:order-4 sm:justify-self-start">{statusBadge(inv)}</span>
              <span className="text-zinc-500 sm:order-2">
                {day(inv.periodStart)} – {day(inv.periodEnd)}
              </span>
              <span className="justify-self-end font-medium text-zinc-900 tabular-nums sm:order-3">{formatMicros(inv.totalMicros, inv.currency)}</span>
              <span className="col-span-2 flex gap-3 sm:order-5 sm:col-span-1 sm:justify-self-end">
                {inv.hostedInvoiceUrl ? (
                  <a className="inline-flex items-center gap-1 text-indigo-700 hover:underline" href={inv.hostedInvoiceUrl} target="_blank" rel="noreferrer noopener">
                    {inv.status === 'open' ? 'Pay' : 'View'} <ExternalLink className="size-3.5" aria-hidden />
                  </a>
                ) : null}
                {inv.invoicePdf ? (
                  <a className="text-indigo-700 hover:underline" href={inv.invoicePdf} target="_blank" rel="noreferrer noopener">
                    PDF
                  </a>
                ) : null}
              </span>
            </li>
          ))}
        </ul>
      )}
      <Pagination page={pages.page} hasPrevious={pages.hasPrevious} hasNext={!!q.data?.nextCursor} onPrevious={pages.previous} onNext={() => pages.next(q.data?.nextCursor)} busy={q.isFetching} />
    </Card>
  );
}
