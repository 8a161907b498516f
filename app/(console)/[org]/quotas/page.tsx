import type { Metadata } from 'next';
import { QuotasView } from '@/components/billing/quotas-view';
import { PageHeader } from '@/components/console/page-header';
import { requirePagePermission } from '../../console-context';

export const metadata: Metadata = { title: 'Quotas' };

export default async function QuotasPage({ params }: { params: Promise<{ org: string }> }) {
  await requirePagePermission(params, 'usage:read');
  return (
    <>
      <PageHeader title="Quotas" description="What this organization may run at once and per sandbox, beside what it uses now." />
      <QuotasView />
    </>
  );
}
