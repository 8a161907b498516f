import { LayoutTemplate } from 'lucide-react';
import type { Metadata } from 'next';
import { UpcomingSection } from '@/components/console/upcoming-section';
import { requirePagePermission } from '../../console-context';

export const metadata: Metadata = { title: 'Templates' };

export default async function TemplatesPage({ params }: { params: Promise<{ org: string }> }) {
  const { org } = await requirePagePermission(params, 'sandboxes:read');
  return (
    <UpcomingSection
      title="Templates"
      description="The base images sandboxes start from."
      icon={LayoutTemplate}
      emptyTitle="Only the default template for now"
      coming="Every sandbox starts from the built-in default template. Custom templates will be listed and managed here."
      next={{
        label: 'Go to sandboxes',
        href: `/${org.slug}/sandboxes`,
        text: 'Sandboxes use the default template until then.',
      }}
    />
  );
}
