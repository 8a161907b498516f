import { parseQuery, withPublic } from '@/lib/api/handler';
import { previewInvitation } from '@/lib/invitations/invitations';
import { tokenQuery } from '@/lib/schemas/members';

export const dynamic = 'force-dynamic';

/** Public, so the invite page can say which org and role before the person signs in. */
export const GET = withPublic(async ({ req }) => {
  const { token } = parseQuery(req, tokenQuery);
  return Response.json(await previewInvitation(token));
});
