'use client';

import Link, { useLinkStatus } from 'next/link';
import { usePathname } from 'next/navigation';
import { cn } from '@/components/ui/cn';
import { Spinner } from '@/components/ui/spinner';
import { useOrg } from '@/lib/client/org-context';
import { NAV_ITEMS } from './nav-items';

/** Vertical in the sidebar; a horizontal, scrollable strip under the header on small screens. */
export function SideNav({ orientation = 'vertical' }: { orientation?: 'vertical' | 'horizontal' }) {
  const { org, can } = useOrg();
  const pathname = usePathname();
  return (
    <nav
      aria-label={orientation === 'vertical' ? 'Console' : 'Console sections'}
      className={orientation === 'vertical' ? 'grid gap-0.5' : 'flex gap-1 overflow-x-auto px-2 py-2'}
    >
      {NAV_ITEMS.filter((item) => can(item.permission)).map((item) => {
        const href = item.segment ? `/${org.slug}/${item.segment}` : `/${org.slug}`;
        const active = pathname === href || (item.segment !== '' && pathname.startsWith(`${href}/`));
        const Icon = item.icon;
        return (
          <Link
            key={item.label}
            href={href}
            aria-current={active ? 'page' : undefined}
            className={cn(
              'flex items-center gap-2.5 rounded-md px-2.5 py-1.5 text-sm font-medium whitespace-nowrap text-zinc-600 transition-colors hover:bg-zinc-100 hover:text-zinc-900',
              active && 'bg-zinc-100 text-zinc-900',
            )}
          >
            <Icon className={cn('size-4 text-zinc-400', active && 'text-indigo-600')} aria-hidden />
            {item.label}
            <PendingIndicator />
          </Link>
        );
      })}
    </nav>
  );
}

/** Pages render on the server (no route-level loading state, so 404s keep their status): show that a click registered. */
function PendingIndicator() {
  const { pending } = useLinkStatus();
  return pending ? <Spinner className="ml-auto size-3.5" label="Loading page" /> : null;
}
