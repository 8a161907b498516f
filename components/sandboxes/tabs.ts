/** The sandbox page's tabs; a plain module so the server page can validate `?tab=` too. */
export const TABS = ['terminal', 'files', 'ports', 'snapshots', 'overview'] as const;
export type Tab = (typeof TABS)[number];
export const TAB_LABELS: Record<Tab, string> = {
  terminal: 'Terminal',
  files: 'Files',
  ports: 'Ports',
  snapshots: 'Snapshots',
  overview: 'Overview',
};
