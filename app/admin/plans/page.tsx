import type { Metadata } from 'next';
import { PlansTable } from '@/components/admin/plans/plans-table';

export const metadata: Metadata = { title: 'Plans · Platform admin' };

export default function AdminPlansPage() {
  return <PlansTable />;
}
