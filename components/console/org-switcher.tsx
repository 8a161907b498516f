'use client';

import { Check, ChevronsUpDown, Plus } from 'lucide-react';
import { usePathname, useRouter } from 'next/navigation';
import * as React from 'react';
import { Badge } from '@/components/ui/badge';
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from '@/components/ui/dropdown-menu';
import { can, type Role } from '@/lib/auth/permissions';
import { CreateOrgDialog } from './create-org-dialog';
import { NAV_ITEMS } from './nav-items';

export type SwitcherOrg = { slug: string; name: string; personal: boolean; role: Role };

/** Lists the person's orgs; switching keeps them on the same section when it exists there. */
export function OrgSwitcher({ orgs, current }: { orgs: SwitcherOrg[]; current: SwitcherOrg }) {
  const router = useRouter();
  const pathname = usePathname();
  const [creating, setCreating] = React.useState(false);

  // Stay on the same section in the other org when the role there may see it.
  function hrefFor(o: SwitcherOrg): string {
    const section = NAV_ITEMS.find((item) => item.segment === pathname.split('/')[2]);
    return section && can(o.role, section.permission) ? `/${o.slug}/${section.segment}` : `/${o.slug}`;
  }

  return (
    <>
      <DropdownMenu>
        <DropdownMenuTrigger
          className="flex max-w-[16rem] items-center gap-2 rounded-md px-2 py-1.5 text-sm font-medium text-zinc-900 hover:bg-zinc-100 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500"
          data-testid="org-switcher"
        >
          {/* The name is read from the visible text (axe: the accessible name contains what is seen). */}
          <span className="sr-only">Organization: </span>
          <span aria-hidden className="flex size-6 shrink-0 items-center justify-center rounded bg-zinc-900 text-xs font-semibold text-white uppercase">
            {current.name.slice(0, 1)}
          </span>
          <span className="truncate">{current.name}</span>
          <span className="sr-only">, switch organization</span>
          <ChevronsUpDown className="size-3.5 shrink-0 text-zinc-400" aria-hidden />
        </DropdownMenuTrigger>
        <DropdownMenuContent className="w-72">
          <DropdownMenuLabel>Organizations</DropdownMenuLabel>
          {orgs.map((o) => (
            <DropdownMenuItem key={o.slug} onSelect={() => router.push(hrefFor(o))} className="justify-between">
              <span className="flex min-w-0 items-center gap-2">
                <Check className={o.slug === current.slug ? 'text-indigo-600' : 'invisible'} aria-hidden />
                <span className="truncate">{o.name}</span>
              </span>
              <Badge tone={o.personal ? 'accent' : 'neutral'}>{o.personal ? 'personal' : o.role}</Badge>
            </DropdownMenuItem>
          ))}
          <DropdownMenuSeparator />
          <DropdownMenuItem onSelect={() => setCreating(true)}>
            <Plus aria-hidden /> Create organization
          </DropdownMenuItem>
        </DropdownMenuContent>
      </DropdownMenu>
      <CreateOrgDialog open={creating} onOpenChange={setCreating} />
    </>
  );
}
