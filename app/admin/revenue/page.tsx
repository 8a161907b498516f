import type { Metadata } from 'next';
import { RevenueView } from '@/components/admin/revenue/revenue-view';
import { PageHeader } from '@/components/console/page-header';

export const metadata: Metadata = { title: 'Revenue · Platform admin' };

export default function AdminRevenuePage() {
  return (
    <>
      <PageHeader
        title="Revenue"
        description="A month's metered usage (what it earns at the plans' rates), how much of it credit paid and what it did not, and the credit granted. Subscription revenue appears here once the payment integration records invoices."
      />
      <RevenueView />
    </>
  );
}
