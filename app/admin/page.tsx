import type { Metadata } from 'next';
import { AdminOrgsTable } from '@/components/admin/admin-orgs-table';
import { PageHeader } from '@/components/console/page-header';

export const metadata: Metadata = { title: 'Platform admin' };

export default function AdminPage() {
  return (
    <>
      <PageHeader
        title="Organizations"
        description="Every organization on this Warren installation: its plan, whether it is active, suspended or on hold, this month's cost (UTC) and its credit balance. Open one to change its plan, quotas, credit or suspension."
      />
      <AdminOrgsTable />
    </>
  );
}
