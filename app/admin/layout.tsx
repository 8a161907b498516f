import { notFound, redirect } from 'next/navigation';
import { AdminNav } from '@/components/admin/admin-nav';
import { BrandHomeLink } from '@/components/brand';
import { Badge } from '@/components/ui/badge';
import { getSessionUser } from '@/lib/auth/session';
import { QueryProvider } from '@/lib/client/query-provider';

/** The platform admin area: 404 for everyone who is not a platform admin, as the API does. */
export default async function AdminLayout({ children }: { children: React.ReactNode }) {
  const user = await getSessionUser();
  if (!user) redirect('/sign-in?callbackUrl=%2Fadmin');
  if (!user.isPlatformAdmin) notFound();
  return (
    <QueryProvider>
      <div className="min-h-screen">
        <header className="flex h-14 items-center gap-3 border-b border-zinc-200 bg-white px-4">
          <BrandHomeLink />
          <Badge tone="accent">Platform admin</Badge>
          <span className="ml-auto min-w-0 truncate text-sm text-zinc-500 max-sm:hidden">{user.email}</span>
        </header>
        <div className="border-b border-zinc-200 bg-white">
          <AdminNav />
        </div>
        <main className="mx-auto max-w-6xl px-4 py-6 sm:px-6 sm:py-8">{children}</main>
      </div>
    </QueryProvider>
  );
}
