import { parseJson, withOrg } from '@/lib/api/handler';
import { AppError } from '@/lib/errors';
import { secretName, updateSecretBody } from '@/lib/schemas/secrets';
import { deleteSecret, getSecret, updateSecret } from '@/lib/secrets/vault';

export const dynamic = 'force-dynamic';

/** Names are per org: another org's secret is simply not here (404). */
function nameParam(params: Record<string, string>): string {
  const r = secretName.safeParse(params.name);
  if (!r.success) throw new AppError('not_found', 'Secret not found');
  return r.data;
}

export const GET = withOrg('secrets:read', async ({ scope, params }) => Response.json({ secret: await getSecret(scope, nameParam(params)) }));

/** Replaces the value, or the description or hosts: egress-only sandboxes follow at once. */
export const PATCH = withOrg('secrets:write', async ({ req, scope, params }) => {
  const name = nameParam(params);
  const body = await parseJson(req, updateSecretBody, 512 * 1024);
  return Response.json({ secret: await updateSecret(scope, name, body) });
});

export const DELETE = withOrg('secrets:write', async ({ scope, params }) => Response.json(await deleteSecret(scope, nameParam(params))));
