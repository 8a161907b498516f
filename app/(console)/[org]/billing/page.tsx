import { CreditCard } from 'lucide-react';
import type { Metadata } from 'next';
import { UpcomingSection } from '@/components/console/upcoming-section';
import { requirePagePermission } from '../../console-context';

export const metadata: Metadata = { title: 'Billing' };

export default async function BillingPage({ params }: { params: Promise<{ org: string }> }) {
  const { org } = await requirePagePermission(params, 'billing:read');
  return (
    <UpcomingSection
      title="Billing"
      description="Plan, credits, payment method and invoices."
      icon={CreditCard}
      emptyTitle="No plan or invoices yet"
      coming="Plans, credits and invoices arrive with billing. Until then this organization runs without charges."
      next={{ label: 'See usage', href: `/${org.slug}/usage`, text: 'Usage will be the basis of every invoice.' }}
    />
  );
}
