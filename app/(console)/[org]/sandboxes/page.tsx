import type { Metadata } from 'next';
import { PageHeader } from '@/components/console/page-header';
import { CreateSandboxButton } from '@/components/sandboxes/create-sandbox-dialog';
import { RunnerBanner } from '@/components/sandboxes/runner-banner';
import { SandboxesTable } from '@/components/sandboxes/sandboxes-table';
import { can } from '@/lib/auth/permissions';
import { runnerStatus } from '@/lib/runner-status';
import { requirePagePermission } from '../../console-context';

export const metadata: Metadata = { title: 'Sandboxes' };

export default async function SandboxesPage({ params }: { params: Promise<{ org: string }> }) {
  const { role } = await requirePagePermission(params, 'sandboxes:read');
  const runner = runnerStatus();
  return (
    <>
      <PageHeader
        title="Sandboxes"
        description="Isolated Linux machines your agents create, run code in and throw away."
        actions={can(role, 'sandboxes:write') ? <CreateSandboxButton /> : null}
      />
      <RunnerBanner initial={runner.state === 'ready' ? { state: 'ready' } : runner} />
      <SandboxesTable />
    </>
  );
}
