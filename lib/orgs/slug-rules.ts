/**
 * Org slugs appear in console URLs (`/{slug}/sandboxes`), so they must not collide with the
 * console's own top-level paths.
 */
export const SLUG_RE = /^[a-z0-9](?:[a-z0-9-]{1,38})[a-z0-9]$/;

export const RESERVED_SLUGS: ReadonlySet<string> = new Set([
  'admin',
  'api',
  'sign-in',
  'sign-up',
  'sign-out',
  'signin',
  'signup',
  'signout',
  'invite',
  'embed',
  'orgs',
  'new',
  'settings',
  '_next',
  'static',
  'public',
  'health',
  'auth',
  'preview',
  'www',
  'login',
  'logout',
  'account',
]);

export function isValidSlug(s: string): boolean {
  return SLUG_RE.test(s) && !RESERVED_SLUGS.has(s);
}

/** Best-effort slug from a display name or e-mail; may still need a suffix to be unique. */
export function slugify(input: string): string {
  const base = input
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 32)
    .replace(/-+$/g, '');
  if (base.length < 3) return base ? `${base}-org` : 'org';
  return RESERVED_SLUGS.has(base) ? `${base}-org` : base;
}
