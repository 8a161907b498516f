import { withOrg } from '@/lib/api/handler';
import { revokeApiKey } from '@/lib/api-keys/api-keys';
import { pathId } from '@/lib/schemas/members';

export const dynamic = 'force-dynamic';

export const DELETE = withOrg('api_keys:write', async ({ scope, params }) =>
  Response.json({ apiKey: await revokeApiKey(scope, pathId(params, 'id', 'API key')) }),
);
