/**
 * The single role → permission table. Every route handler and page asks `can(role, permission)`;
 * nothing else in the code base compares role names.
 */
export const ROLES = ['owner', 'admin', 'developer', 'viewer', 'billing'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  'org:read',
  'org:update',
  'org:delete',
  // Sign-in policy (requiring two-factor of every member): owners only, like deleting the org.
  'org:security',
  'members:read',
  'members:invite',
  'members:update',
  'members:remove',
  'api_keys:read',
  'api_keys:write',
  'audit:read',
  'sandboxes:read',
  'sandboxes:write',
  'sandboxes:delete',
  'snapshots:delete',
  'secrets:read',
  'secrets:write',
  'usage:read',
  'billing:read',
  'billing:write',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const VIEWER: Permission[] = ['org:read', 'members:read', 'sandboxes:read', 'usage:read'];
/**
 * A developer (and so a developer API key, what agents hold) runs the whole lifecycle of the
 * org's sandboxes, delete included: an agent that can create but not delete leaves sandboxes
 * behind. Snapshots stay an admin's to delete: forks and restores of the whole org depend on them.
 */
const DEVELOPER: Permission[] = [...VIEWER, 'sandboxes:write', 'sandboxes:delete', 'api_keys:read', 'api_keys:write', 'secrets:read', 'secrets:write'];
const ADMIN: Permission[] = [
  ...DEVELOPER,
  'org:update',
  'members:invite',
  'members:update',
  'members:remove',
  'audit:read',
  'snapshots:delete',
  'billing:read',
];

const TABLE: Record<Role, ReadonlySet<Permission>> = {
  owner: new Set(PERMISSIONS),
  admin: new Set(ADMIN),
  developer: new Set(DEVELOPER),
  viewer: new Set(VIEWER),
  billing: new Set(['org:read', 'members:read', 'usage:read', 'billing:read', 'billing:write']),
};

export function can(role: Role, permission: Permission): boolean {
  return TABLE[role].has(permission);
}

/** A role may only grant a role whose every permission it holds itself (an admin cannot mint
 * owners, a developer cannot mint billing); only owners grant owner. */
export function canGrant(granter: Role, granted: Role): boolean {
  if (granter === 'owner') return true;
  if (granted === 'owner') return false;
  return [...TABLE[granted]].every((p) => TABLE[granter].has(p));
}
