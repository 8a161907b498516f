import { Camera } from 'lucide-react';
import type { Metadata } from 'next';
import { UpcomingSection } from '@/components/console/upcoming-section';
import { requirePagePermission } from '../../console-context';

export const metadata: Metadata = { title: 'Snapshots' };

export default async function SnapshotsPage({ params }: { params: Promise<{ org: string }> }) {
  const { org } = await requirePagePermission(params, 'sandboxes:read');
  return (
    <UpcomingSection
      title="Snapshots"
      description="Frozen copies of a sandbox's filesystem, to restore or fork from."
      icon={Camera}
      emptyTitle="No snapshots yet"
      coming="Snapshots are taken from a running sandbox. Browsing and forking them here arrives with sandboxes."
      next={{ label: 'Go to sandboxes', href: `/${org.slug}/sandboxes`, text: 'Start from the Sandboxes page.' }}
    />
  );
}
