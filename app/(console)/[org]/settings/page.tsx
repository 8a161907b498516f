import type { Metadata } from 'next';
import { PageHeader } from '@/components/console/page-header';
import { DeleteOrgCard } from '@/components/settings/delete-org-card';
import { GeneralSettingsCard } from '@/components/settings/general-settings-card';
import { LeaveOrgCard } from '@/components/settings/leave-org-card';
import { can } from '@/lib/auth/permissions';
import { requirePagePermission } from '../../console-context';

export const metadata: Metadata = { title: 'Settings' };

export default async function SettingsPage({ params }: { params: Promise<{ org: string }> }) {
  const { role } = await requirePagePermission(params, 'org:read');
  return (
    <>
      <PageHeader title="Settings" description="This organization's name, URL and membership." />
      <div className="grid gap-6">
        <GeneralSettingsCard />
        <LeaveOrgCard />
        {can(role, 'org:delete') ? <DeleteOrgCard /> : null}
      </div>
    </>
  );
}
