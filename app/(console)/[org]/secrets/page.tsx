import { ShieldEllipsis } from 'lucide-react';
import type { Metadata } from 'next';
import { UpcomingSection } from '@/components/console/upcoming-section';
import { requirePagePermission } from '../../console-context';

export const metadata: Metadata = { title: 'Secrets' };

export default async function SecretsPage({ params }: { params: Promise<{ org: string }> }) {
  const { org } = await requirePagePermission(params, 'secrets:read');
  return (
    <UpcomingSection
      title="Secrets"
      description="Encrypted values (API tokens, passwords) injected into sandboxes as environment variables."
      icon={ShieldEllipsis}
      emptyTitle="No secrets yet"
      coming="Storing encrypted secrets and handing them to sandboxes comes in a later release; values are never shown again once saved."
      next={{
        label: 'Manage API keys',
        href: `/${org.slug}/keys`,
        text: 'Meanwhile, API keys give your agents access to Warren.',
      }}
    />
  );
}
