import type { Metadata } from 'next';
import { AdminSandboxesTable } from '@/components/admin/admin-sandboxes-table';
import { PageHeader } from '@/components/console/page-header';

export const metadata: Metadata = { title: 'Sandboxes · Platform admin' };

export default async function AdminSandboxesPage({ searchParams }: { searchParams: Promise<{ runner?: string | string[] }> }) {
  const runner = (await searchParams).runner;
  return (
    <>
      <PageHeader
        title="Sandboxes"
        description="Every organization's sandboxes, newest first, as the database last saw them. Stopping keeps a sandbox's files; deleting removes everything. Both are recorded in the org's audit log under your name."
      />
      <AdminSandboxesTable initialRunner={typeof runner === 'string' && /^[a-z0-9-]{1,40}$/.test(runner) ? runner : ''} />
    </>
  );
}
