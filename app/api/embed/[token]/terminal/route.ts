import { parseJson, withPublic } from '@/lib/api/handler';
import { openEmbed } from '@/lib/embeds/open-embed';
import { embedTerminalBody } from '@/lib/schemas/shares';

export const dynamic = 'force-dynamic';

/** Public: the share token in the path is the credential (a revoked or expired one is a 404). */
export const POST = withPublic(async ({ req, params }) => {
  const body = await parseJson(req, embedTerminalBody);
  return Response.json(await openEmbed(params.token!, body));
});
