/**
 * Warren keeps a few facts of its own in a sandbox's metadata column (so the metadata filters
 * and usage grouping work on them too), under keys starting with `warren_`. They are not the
 * user's: the API shows them as their own fields, never in `metadata`, and refuses a create that
 * sets one (so nobody can pass their sandbox off as a demo visitor's).
 */
export const INTERNAL_PREFIX = 'warren_';
/** The demo (template) link that made this sandbox for one of its visitors. */
export const SHARE_META_KEY = 'warren_share';

export const isInternalKey = (key: string) => key.startsWith(INTERNAL_PREFIX);

export function userMetadata(m: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(m).filter(([k]) => !isInternalKey(k)));
}

export function shareIdOf(m: Record<string, string>): string | null {
  return m[SHARE_META_KEY] ?? null;
}
