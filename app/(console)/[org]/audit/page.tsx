import type { Metadata } from 'next';
import { AuditTable } from '@/components/audit/audit-table';
import { PageHeader } from '@/components/console/page-header';
import { requirePagePermission } from '../../console-context';

export const metadata: Metadata = { title: 'Audit log' };

export default async function AuditPage({ params }: { params: Promise<{ org: string }> }) {
  await requirePagePermission(params, 'audit:read');
  return (
    <>
      <PageHeader
        title="Audit log"
        description="Who did what in this organization, newest first. Entries cannot be edited or deleted."
      />
      <AuditTable />
    </>
  );
}
