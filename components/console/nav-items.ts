import {
  Activity,
  Boxes,
  Camera,
  CreditCard,
  Gauge,
  House,
  KeyRound,
  LayoutTemplate,
  type LucideIcon,
  ScrollText,
  Settings,
  ShieldEllipsis,
  Users,
} from 'lucide-react';
import type { Permission } from '@/lib/auth/permissions';

/** The console's sections; each is shown only to roles holding its permission (the page checks it too). */
export type NavItem = { segment: string; label: string; icon: LucideIcon; permission: Permission };

export const NAV_ITEMS: NavItem[] = [
  // The org's home (segment '' is /<org> itself); every member may see it, each card checks its own permission.
  { segment: '', label: 'Home', icon: House, permission: 'org:read' },
  { segment: 'sandboxes', label: 'Sandboxes', icon: Boxes, permission: 'sandboxes:read' },
  { segment: 'snapshots', label: 'Snapshots', icon: Camera, permission: 'sandboxes:read' },
  { segment: 'templates', label: 'Templates', icon: LayoutTemplate, permission: 'sandboxes:read' },
  { segment: 'secrets', label: 'Secrets', icon: ShieldEllipsis, permission: 'secrets:read' },
  { segment: 'keys', label: 'API keys', icon: KeyRound, permission: 'api_keys:read' },
  { segment: 'members', label: 'Members', icon: Users, permission: 'members:read' },
  { segment: 'usage', label: 'Usage', icon: Activity, permission: 'usage:read' },
  { segment: 'quotas', label: 'Quotas', icon: Gauge, permission: 'usage:read' },
  { segment: 'billing', label: 'Billing', icon: CreditCard, permission: 'billing:read' },
  { segment: 'audit', label: 'Audit log', icon: ScrollText, permission: 'audit:read' },
  { segment: 'settings', label: 'Settings', icon: Settings, permission: 'org:read' },
];
