'use client';

import * as React from 'react';
import { can, type Permission, type Role } from '@/lib/auth/permissions';

/** The org the console page is showing and the viewer's role in it, resolved by the server layout. */
export type OrgContextValue = {
  org: { id: string; slug: string; name: string; personal: boolean };
  role: Role;
  user: { id: string; email: string; name: string | null; isPlatformAdmin: boolean };
  /** Why the org may not start anything now (the banner says more), as the layout saw it. */
  blocked?: 'suspended' | 'spend_limit' | 'balance_exhausted' | null;
};

const OrgContext = React.createContext<OrgContextValue | null>(null);

export function OrgProvider({ value, children }: { value: OrgContextValue; children: React.ReactNode }) {
  return <OrgContext.Provider value={value}>{children}</OrgContext.Provider>;
}

export function useOrg(): OrgContextValue & { can: (p: Permission) => boolean } {
  const ctx = React.useContext(OrgContext);
  if (!ctx) throw new Error('useOrg must be used inside the console layout');
  return { ...ctx, can: (p) => can(ctx.role, p) };
}
