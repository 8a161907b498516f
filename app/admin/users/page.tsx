import type { Metadata } from 'next';
import { UsersTable } from '@/components/admin/users/users-table';
import { PageHeader } from '@/components/console/page-header';
import { getSessionUser } from '@/lib/auth/session';

export const metadata: Metadata = { title: 'Users · Platform admin' };

export default async function AdminUsersPage({ searchParams }: { searchParams: Promise<{ q?: string | string[] }> }) {
  const me = await getSessionUser(); // the layout already let only platform admins through
  const q = (await searchParams).q;
  return (
    <>
      <PageHeader
        title="Users"
        description="Every account. Make someone a platform admin or revoke it (never your own, never the last admin). A disabled account cannot sign in, its sessions end at once and the API keys it created stop working."
      />
      <UsersTable me={me!.userId} initialQuery={typeof q === 'string' ? q.slice(0, 100) : ''} />
    </>
  );
}
