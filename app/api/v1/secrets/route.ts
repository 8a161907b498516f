import { parseJson, withOrg } from '@/lib/api/handler';
import { createSecretBody } from '@/lib/schemas/secrets';
import { createSecret, listSecrets } from '@/lib/secrets/vault';

export const dynamic = 'force-dynamic';

/** Write-only: no answer of these routes ever holds a value (only a fingerprint and last2). */
export const GET = withOrg('secrets:read', async ({ scope }) => Response.json({ secrets: await listSecrets(scope) }));

export const POST = withOrg('secrets:write', async ({ req, scope }) => {
  const body = await parseJson(req, createSecretBody, SECRET_BODY_BYTES);
  return Response.json({ secret: await createSecret(scope, body) }, { status: 201 });
});

/** A 64 KiB value, JSON-escaped (up to 6 bytes a character), plus the rest. */
const SECRET_BODY_BYTES = 512 * 1024;
