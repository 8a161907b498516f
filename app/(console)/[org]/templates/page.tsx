import type { Metadata } from 'next';
import { PageHeader } from '@/components/console/page-header';
import { DemoLinksCard } from '@/components/templates/demo-links-card';
import { TemplatesCard } from '@/components/templates/templates-card';
import { requirePagePermission } from '../../console-context';

export const metadata: Metadata = { title: 'Templates' };

export default async function TemplatesPage({ params }: { params: Promise<{ org: string }> }) {
  await requirePagePermission(params, 'sandboxes:read');
  return (
    <>
      <PageHeader
        title="Templates"
        description="The images sandboxes start from, and demo links that hand visitors a fresh sandbox."
      />
      <div className="grid gap-6">
        <TemplatesCard />
        <DemoLinksCard />
      </div>
    </>
  );
}
