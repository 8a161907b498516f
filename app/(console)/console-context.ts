import { notFound, redirect } from 'next/navigation';
import { cache } from 'react';
import { type Permission, can } from '@/lib/auth/permissions';
import { getSessionUser } from '@/lib/auth/session';
import { SLUG_RE } from '@/lib/orgs/slug-rules';
import { listOrgsForUser } from '@/lib/orgs/orgs';
import { memberNeedsTwoFactor } from '@/lib/orgs/two-factor-policy';

/**
 * Server-side context for every console page: who is signed in, which orgs they belong to, and
 * their role in the org named by the URL. An org they do not belong to does not exist for them
 * (404), the same answer the API gives. Cached per request so layout and page share one lookup.
 */
export const loadConsoleContext = cache(async (slug: string) => {
  if (!SLUG_RE.test(slug)) notFound();
  const user = await getSessionUser();
  if (!user) redirect(`/sign-in?callbackUrl=${encodeURIComponent(`/${slug}`)}`);
  const orgs = await listOrgsForUser(user.userId);
  const org = orgs.find((o) => o.slug === slug);
  if (!org) notFound();
  // The owner requires two-factor sign-in: set it up first (the account page says why).
  if (await memberNeedsTwoFactor(org.id, user.userId)) redirect(`/account?twoFactorFor=${encodeURIComponent(org.slug)}`);
  return { user, orgs, org, role: org.role };
});

export type ConsoleContext = Awaited<ReturnType<typeof loadConsoleContext>>;

/** For pages a role cannot see at all: 404, not 403, so the page's existence is not a signal. */
export async function requirePagePermission(params: Promise<{ org: string }>, permission: Permission) {
  const { org } = await params;
  const ctx = await loadConsoleContext(org);
  if (!can(ctx.role, permission)) notFound();
  return ctx;
}
