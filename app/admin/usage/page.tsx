import type { Metadata } from 'next';
import { AdminUsageTable } from '@/components/admin/admin-usage-table';
import { PageHeader } from '@/components/console/page-header';

export const metadata: Metadata = { title: 'Usage · Platform admin' };

export default function AdminUsagePage() {
  return (
    <>
      <PageHeader
        title="Usage"
        description="Every organization's cost this month (UTC), the most expensive first, with what runs right now."
      />
      <AdminUsageTable />
    </>
  );
}
