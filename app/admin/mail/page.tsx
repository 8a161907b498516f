import type { Metadata } from 'next';
import { AdminMailTable } from '@/components/admin/admin-mail-table';
import { PageHeader } from '@/components/console/page-header';

export const metadata: Metadata = { title: 'Mail · Platform admin' };

export default function AdminMailPage() {
  return (
    <>
      <PageHeader
        title="Mail"
        description="Every e-mail this Warren wrote: invitations, password resets, billing notices. Without SMTP, this is where they wait to be read."
      />
      <AdminMailTable />
    </>
  );
}
