'use client';

import { Activity, Building2, CircleDollarSign, Layers, Mail, Server, SquareTerminal, Users } from 'lucide-react';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { cn } from '@/components/ui/cn';

const ITEMS = [
  { href: '/admin', label: 'Organizations', icon: Building2, also: '/admin/orgs' },
  { href: '/admin/users', label: 'Users', icon: Users },
  { href: '/admin/sandboxes', label: 'Sandboxes', icon: SquareTerminal },
  { href: '/admin/runners', label: 'Runners', icon: Server },
  { href: '/admin/plans', label: 'Plans', icon: Layers },
  { href: '/admin/usage', label: 'Usage', icon: Activity },
  { href: '/admin/revenue', label: 'Revenue', icon: CircleDollarSign },
  { href: '/admin/mail', label: 'Mail', icon: Mail },
];

/** A section is current on its own page and on the pages under it (a tenant under Organizations). */
function isCurrent(pathname: string, href: string, also?: string): boolean {
  if (href === '/admin') return pathname === '/admin' || (!!also && pathname.startsWith(also));
  return pathname === href || pathname.startsWith(`${href}/`);
}

/** The platform admin area's sections; scrolls sideways on a phone rather than wrapping. */
export function AdminNav() {
  const pathname = usePathname();
  return (
    <nav aria-label="Platform admin" className="mx-auto flex max-w-6xl gap-1 overflow-x-auto px-4 py-2 sm:px-6">
      {ITEMS.map(({ href, label, icon: Icon, also }) => {
        const active = isCurrent(pathname, href, also);
        return (
          <Link
            key={href}
            href={href}
            aria-current={active ? 'page' : undefined}
            className={cn(
              'flex items-center gap-2 rounded-md px-2.5 py-1.5 text-sm font-medium whitespace-nowrap text-zinc-600 hover:bg-zinc-100 hover:text-zinc-900',
              active && 'bg-zinc-100 text-zinc-900',
            )}
          >
            <Icon className={cn('size-4 text-zinc-400', active && 'text-indigo-600')} aria-hidden />
            {label}
          </Link>
        );
      })}
    </nav>
  );
}
