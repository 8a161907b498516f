import { Activity } from 'lucide-react';
import type { Metadata } from 'next';
import { UpcomingSection } from '@/components/console/upcoming-section';
import { requirePagePermission } from '../../console-context';

export const metadata: Metadata = { title: 'Usage' };

export default async function UsagePage({ params }: { params: Promise<{ org: string }> }) {
  const { org } = await requirePagePermission(params, 'usage:read');
  return (
    <UpcomingSection
      title="Usage"
      description="Per-second compute and storage, by day, hour and sandbox."
      icon={Activity}
      emptyTitle="No usage recorded yet"
      coming="Usage is metered per second once sandboxes run. Charts and per-sandbox breakdowns will appear here."
      next={{
        label: 'Go to sandboxes',
        href: `/${org.slug}/sandboxes`,
        text: 'Nothing is metered until a sandbox runs.',
      }}
    />
  );
}
