import type { Metadata } from 'next';
import { PageHeader } from '@/components/console/page-header';
import { InvitationsCard } from '@/components/members/invitations-card';
import { InviteButton } from '@/components/members/invite-dialog';
import { MembersCard } from '@/components/members/members-card';
import { can } from '@/lib/auth/permissions';
import { requirePagePermission } from '../../console-context';

export const metadata: Metadata = { title: 'Members' };

export default async function MembersPage({ params }: { params: Promise<{ org: string }> }) {
  const { role } = await requirePagePermission(params, 'members:read');
  const canInvite = can(role, 'members:invite');
  return (
    <>
      <PageHeader
        title="Members"
        description="People in this organization and what they may do."
        actions={canInvite ? <InviteButton /> : null}
      />
      <div className="grid gap-6">
        <MembersCard />
        {canInvite ? <InvitationsCard /> : null}
      </div>
    </>
  );
}
