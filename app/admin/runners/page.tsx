import type { Metadata } from 'next';
import { RunnersTable } from '@/components/admin/runners-table';
import { PageHeader } from '@/components/console/page-header';

export const metadata: Metadata = { title: 'Runners · Platform admin' };

export default function AdminRunnersPage() {
  return (
    <>
      <PageHeader
        title="Runners"
        description="Every registered runner with the capacity it last reported and when it last answered. Drain a runner before maintenance: nothing new is placed on it, and what runs there keeps running."
      />
      <RunnersTable />
    </>
  );
}
