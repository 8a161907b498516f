import type http from 'node:http';
import { authenticateApiKey, authenticateApiKeyId } from '@/lib/auth/api-key-auth';
import { can, type Permission } from '@/lib/auth/permissions';
import type { OrgScope } from '@/lib/auth/scope';
import { gateOrgRequest } from '@/lib/billing/gate';
import { AppError, forbidden } from '@/lib/errors';
import { methodOnly } from './http';

/**
 * The caller of the E2B REST API: `X-API-KEY` (what the E2B clients send) or a bearer token, an
 * ordinary Warren org key either way (`e2b_…` or `wrn_…`). Then exactly what every /api/v1 route
 * does: the role's permission, a suspended org refused, the key's rate limit taken.
 */
export async function e2bScope(req: http.IncomingMessage, permission: Permission): Promise<OrgScope> {
  const header = req.headers['x-api-key'];
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
  const key = (Array.isArray(header) ? header[0] : header) ?? bearer;
  if (!key) throw new AppError('unauthorized', 'Send an API key in the X-API-KEY header');
  return admit(await authenticateApiKey(key.trim()), req.method, permission);
}

/** The envd gateway's caller: the API key an access token was minted for, checked again now. */
export async function keyIdScope(
  apiKeyId: string,
  method: string | undefined,
  permission: Permission,
): Promise<OrgScope> {
  return admit(await authenticateApiKeyId(apiKeyId), method, permission);
}

async function admit(scope: OrgScope, method: string | undefined, permission: Permission): Promise<OrgScope> {
  if (!can(scope.role, permission)) throw forbidden(`Your role (${scope.role}) cannot do this: needs ${permission}`);
  await gateOrgRequest(methodOnly(method), scope, permission);
  return scope;
}
