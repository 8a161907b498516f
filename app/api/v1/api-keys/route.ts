import { parseJson, withOrg } from '@/lib/api/handler';
import { createApiKey, listApiKeys } from '@/lib/api-keys/api-keys';
import { createApiKeyBody } from '@/lib/schemas/api-keys';

export const dynamic = 'force-dynamic';

export const GET = withOrg('api_keys:read', async ({ scope }) => Response.json({ apiKeys: await listApiKeys(scope) }));

/** The response is the only time the full key exists outside the caller's hands. */
export const POST = withOrg('api_keys:write', async ({ req, scope }) => {
  const body = await parseJson(req, createApiKeyBody);
  const { apiKey, key } = await createApiKey(scope, body);
  return Response.json({ apiKey, key }, { status: 201 });
});
