import type { Metadata } from 'next';
import { PageHeader } from '@/components/console/page-header';
import { SnapshotsTable } from '@/components/snapshots/snapshots-table';
import { Card } from '@/components/ui/card';
import { requirePagePermission } from '../../console-context';

export const metadata: Metadata = { title: 'Snapshots' };

export default async function SnapshotsPage({ params }: { params: Promise<{ org: string }> }) {
  await requirePagePermission(params, 'sandboxes:read');
  return (
    <>
      <PageHeader
        title="Snapshots"
        description="Frozen copies of sandbox filesystems. Browse them without starting anything, or fork new sandboxes from them in an instant."
      />
      <Card>
        <SnapshotsTable emptyHint="Take one from a sandbox's Snapshots tab, or with POST /api/v1/sandboxes/:id/snapshots." />
      </Card>
    </>
  );
}
