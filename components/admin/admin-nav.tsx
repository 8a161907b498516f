'use client';

import { Activity, Building2, Mail } from 'lucide-react';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { cn } from '@/components/ui/cn';

const ITEMS = [
  { href: '/admin', label: 'Organizations', icon: Building2 },
  { href: '/admin/usage', label: 'Usage', icon: Activity },
  { href: '/admin/mail', label: 'Mail', icon: Mail },
];

/** The platform admin area's sections. */
export function AdminNav() {
  const pathname = usePathname();
  return (
    <nav aria-label="Platform admin" className="mx-auto flex max-w-5xl gap-1 overflow-x-auto px-6 py-2">
      {ITEMS.map(({ href, label, icon: Icon }) => {
        const active = pathname === href;
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
