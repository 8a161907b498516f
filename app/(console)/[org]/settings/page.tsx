import type { Metadata } from 'next';
import { PageHeader } from '@/components/console/page-header';
import { DeleteOrgCard } from '@/components/settings/delete-org-card';
import { GeneralSettingsCard } from '@/components/settings/general-settings-card';
import { LeaveOrgCard } from '@/components/settings/leave-org-card';
import { TwoFactorPolicyCard } from '@/components/settings/two-factor-policy-card';
import { orgRequiresTwoFactor } from '@/lib/orgs/two-factor-policy';
import { can } from '@/lib/auth/permissions';
import { requirePagePermission } from '../../console-context';

export const metadata: Metadata = { title: 'Settings' };

export default async function SettingsPage({ params }: { params: Promise<{ org: string }> }) {
  const { role, org } = await requirePagePermission(params, 'org:read');
  const requireTwoFactor = await orgRequiresTwoFactor(org.id);
  return (
    <>
      <PageHeader title="Settings" description="This organization's name, URL and membership." />
      <div className="grid gap-6">
        <GeneralSettingsCard />
        <TwoFactorPolicyCard initial={requireTwoFactor} canChange={can(role, 'org:security')} />
        <LeaveOrgCard />
        {can(role, 'org:delete') ? <DeleteOrgCard /> : null}
      </div>
    </>
  );
}
