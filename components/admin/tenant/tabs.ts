/** The tenant page's tabs; a plain module so the server page can read it (a client module's exports are references there). */
export const TENANT_TABS = [
  { id: 'overview', label: 'Overview' },
  { id: 'quotas', label: 'Quotas' },
  { id: 'members', label: 'Members' },
  { id: 'sandboxes', label: 'Sandboxes' },
  { id: 'audit', label: 'Audit log' },
] as const;
export type TenantTab = (typeof TENANT_TABS)[number]['id'];
