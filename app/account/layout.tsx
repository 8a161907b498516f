import { redirect } from 'next/navigation';
import { BrandHomeLink } from '@/components/brand';
import { getSessionUser } from '@/lib/auth/session';
import { QueryProvider } from '@/lib/client/query-provider';

/** The signed-in person's own settings: not tied to any org, so outside the org shell. */
export default async function AccountLayout({ children }: { children: React.ReactNode }) {
  const user = await getSessionUser();
  if (!user) redirect('/sign-in?callbackUrl=%2Faccount');
  return (
    <QueryProvider>
      <div className="min-h-screen">
        <header className="flex h-14 items-center gap-3 border-b border-zinc-200 bg-white px-4">
          <BrandHomeLink />
          <span className="ml-auto min-w-0 truncate text-sm text-zinc-500 max-sm:hidden">{user.email}</span>
        </header>
        <main className="mx-auto max-w-3xl px-4 py-6 sm:px-6 sm:py-8">{children}</main>
      </div>
    </QueryProvider>
  );
}
