import { can } from '@/lib/auth/permissions';
import { orgScopeForUser } from '@/lib/auth/resolve-scope';
import { sessionUserFromCookies } from '@/lib/auth/session-cookie';
import { getDb, schema } from '@/db';
import { and, eq, isNull } from 'drizzle-orm';
import { env } from '@/lib/env';
import { PREVIEW_TOKEN_PARAM, issuePreviewToken, parsePreviewHost, previewUrl } from '@/lib/previews/preview-access';

export const dynamic = 'force-dynamic';

/**
 * The console side of opening a private preview: a signed-in member of the sandbox's org is
 * sent back to the preview host with a token for exactly that sandbox and port. Anyone else
 * is sent to sign in (and back here afterwards), or refused.
 */
export async function GET(req: Request) {
  const url = new URL(req.url);
  const sandboxId = url.searchParams.get('sandbox') ?? '';
  const port = Number(url.searchParams.get('port'));
  const next = url.searchParams.get('next') ?? '';
  let target: ReturnType<typeof parsePreviewHost> = null;
  try {
    target = parsePreviewHost(new URL(next).host);
  } catch {}
  // Only ever redirect to the preview host the token is for (no open redirect).
  if (!target || target.sandboxId !== sandboxId || target.port !== port) {
    return Response.json({ error: { code: 'bad_request', message: 'Invalid preview address' } }, { status: 400 });
  }
  const user = await sessionUserFromCookies(req.headers.get('cookie'));
  if (!user) {
    const back = `/api/previews/authorize?${url.searchParams.toString()}`;
    return Response.redirect(`${env().publicUrl}/sign-in?callbackUrl=${encodeURIComponent(back)}`, 302);
  }
  const db = await getDb();
  const [row] = await db
    .select({ orgSlug: schema.orgs.slug })
    .from(schema.sandboxes)
    .innerJoin(schema.orgs, eq(schema.orgs.id, schema.sandboxes.orgId))
    .where(and(eq(schema.sandboxes.id, sandboxId), isNull(schema.sandboxes.deletedAt)));
  const scope = row ? await orgScopeForUser(user, row.orgSlug).catch(() => null) : null;
  if (!scope || !can(scope.role, 'sandboxes:read')) {
    return Response.json({ error: { code: 'not_found', message: 'Sandbox not found' } }, { status: 404 });
  }
  // Rebuilt from the target itself: only the path and query of `next` are kept, so the token
  // cannot be sent to another port or scheme of that host name.
  const asked = new URL(next);
  const dest = new URL(`${asked.pathname}${asked.search}`, previewUrl(target));
  dest.searchParams.set(PREVIEW_TOKEN_PARAM, issuePreviewToken(target));
  return Response.redirect(dest.toString(), 302);
}
