import { Boxes } from 'lucide-react';
import type { Metadata } from 'next';
import { UpcomingSection } from '@/components/console/upcoming-section';
import { can } from '@/lib/auth/permissions';
import { requirePagePermission } from '../../console-context';

export const metadata: Metadata = { title: 'Sandboxes' };

export default async function SandboxesPage({ params }: { params: Promise<{ org: string }> }) {
  const { org, role } = await requirePagePermission(params, 'sandboxes:read');
  const canKeys = can(role, 'api_keys:write');
  return (
    <UpcomingSection
      title="Sandboxes"
      description="Isolated Linux machines your agents create, run code in and throw away."
      icon={Boxes}
      emptyTitle="No sandboxes yet"
      coming="Creating and managing sandboxes from the console (terminal, files, ports, snapshots) arrives with the sandbox API."
      next={
        canKeys
          ? {
              label: 'Create an API key',
              href: `/${org.slug}/keys`,
              text: 'Create an API key now so your agents are ready to use the API.',
            }
          : {
              label: 'See members',
              href: `/${org.slug}/members`,
              text: 'Ask an admin or developer of this organization for API access.',
            }
      }
    />
  );
}
