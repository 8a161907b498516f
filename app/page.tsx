import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { WarrenMark } from '@/components/brand';
import { CreateOrgButton } from '@/components/console/create-org-dialog';
import { QueryProvider } from '@/lib/client/query-provider';
import { getSessionUser } from '@/lib/auth/session';
import { listOrgsForUser } from '@/lib/orgs/orgs';

export const metadata: Metadata = { title: 'Warren' };

/** `/` lands in the person's first org (their personal one sorts first), or asks them to sign in. */
export default async function Home() {
  const user = await getSessionUser();
  if (!user) redirect('/sign-in');
  const orgs = await listOrgsForUser(user.userId);
  if (orgs[0]) redirect(`/${orgs[0].slug}`);
  return (
    <main className="flex min-h-screen flex-col items-center justify-center gap-4 px-4 text-center">
      <WarrenMark className="size-10" />
      <h1 className="text-lg font-semibold">You do not belong to any organization</h1>
      <p className="max-w-sm text-sm text-zinc-500">
        Create one to start, or open an invitation link a teammate sent you.
      </p>
      <QueryProvider>
        <CreateOrgButton />
      </QueryProvider>
      <a href="/sign-out" className="text-sm text-zinc-500 hover:text-zinc-800 hover:underline">
        Sign out of {user.email}
      </a>
    </main>
  );
}
