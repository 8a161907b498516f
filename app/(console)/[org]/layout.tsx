import Link from 'next/link';
import { BillingBanners } from '@/components/billing/billing-banners';
import { WarrenMark } from '@/components/brand';
import { OrgSwitcher } from '@/components/console/org-switcher';
import { SideNav } from '@/components/console/side-nav';
import { UserMenu } from '@/components/console/user-menu';
import { can } from '@/lib/auth/permissions';
import { billingStatus } from '@/lib/billing/billing-view';
import { OrgProvider } from '@/lib/client/org-context';
import { QueryProvider } from '@/lib/client/query-provider';
import { loadConsoleContext } from '../console-context';

/**
 * The console shell. The URL's slug picks the org; the layout resolves the session and the
 * membership (signed out → sign-in, not a member → 404) before any page renders.
 */
export default async function ConsoleLayout({
  children,
  params,
}: {
  children: React.ReactNode;
  params: Promise<{ org: string }>;
}) {
  const { org: slug } = await params;
  const { user, orgs, org, role } = await loadConsoleContext(slug);
  const billing = await billingStatus(org.id);
  const contextValue = {
    org: { id: org.id, slug: org.slug, name: org.name, personal: org.personal },
    role,
    user: { id: user.userId, email: user.email, name: user.name, isPlatformAdmin: user.isPlatformAdmin },
    blocked: billing.blocked,
  };

  return (
    <QueryProvider>
      <OrgProvider value={contextValue}>
        <div className="flex min-h-screen flex-col">
          <header className="sticky top-0 z-30 flex h-14 items-center gap-3 border-b border-zinc-200 bg-white/95 px-4 backdrop-blur">
            <Link href={`/${org.slug}`} aria-label="Warren home" className="flex items-center">
              <WarrenMark className="size-7" />
            </Link>
            <span className="text-zinc-300" aria-hidden>
              /
            </span>
            <OrgSwitcher
              orgs={orgs.map((o) => ({ slug: o.slug, name: o.name, personal: o.personal, role: o.role }))}
              current={{ slug: org.slug, name: org.name, personal: org.personal, role }}
            />
            <div className="ml-auto flex items-center gap-3">
              <span className="hidden text-xs text-zinc-500 sm:inline" data-testid="current-role">
                {role}
              </span>
              <UserMenu email={user.email} name={user.name} isPlatformAdmin={user.isPlatformAdmin} />
            </div>
          </header>
          <BillingBanners status={billing} slug={org.slug} canBill={can(role, 'billing:read')} />
          <div className="border-b border-zinc-200 bg-white md:hidden">
            <SideNav orientation="horizontal" />
          </div>
          <div className="flex flex-1">
            <aside className="w-56 shrink-0 border-r border-zinc-200 bg-white px-3 py-4 max-md:hidden">
              <SideNav />
            </aside>
            <main className="min-w-0 flex-1 px-4 py-6 sm:px-6 sm:py-8 lg:px-10">
              <div className="mx-auto max-w-[1600px]">{children}</div>
            </main>
          </div>
        </div>
      </OrgProvider>
    </QueryProvider>
  );
}
