import { canGrant, ROLES, type Role } from '@/lib/auth/permissions';

/** What each role means, in the words the members and API key forms show. */
export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  owner: 'Everything, including deleting the organization and billing',
  admin: 'Manage members, keys and settings; delete sandboxes',
  developer: 'Create and use sandboxes, API keys and secrets',
  viewer: 'Read-only access to sandboxes and members',
  billing: 'Billing and usage only',
};

export const ROLE_LABELS: Record<Role, string> = {
  owner: 'Owner',
  admin: 'Admin',
  developer: 'Developer',
  viewer: 'Viewer',
  billing: 'Billing',
};

/** The roles `granter` may hand out (an admin cannot mint owners), in table order. */
export function grantableRoles(granter: Role): Role[] {
  return ROLES.filter((r) => canGrant(granter, r));
}
