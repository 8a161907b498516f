import type { Metadata } from 'next';
import Link from 'next/link';
import { BillingView } from '@/components/billing/billing-view';
import { PageHeader } from '@/components/console/page-header';
import { requirePagePermission } from '../../console-context';

export const metadata: Metadata = { title: 'Billing' };

export default async function BillingPage({ params }: { params: Promise<{ org: string }> }) {
  const { org } = await requirePagePermission(params, 'billing:read');
  return (
    <>
      <PageHeader
        title="Billing"
        description={
          <>
            Plan, credit, this month’s spend and its limits. Limits on what runs are on{' '}
            <Link className="text-indigo-700 underline underline-offset-2" href={`/${org.slug}/quotas`}>
              Quotas
            </Link>
            .
          </>
        }
      />
      <BillingView />
    </>
  );
}
