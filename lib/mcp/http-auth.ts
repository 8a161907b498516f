import { resolveOrgScope } from '@/lib/auth/resolve-scope';
import { env } from '@/lib/env';
import { AppError } from '@/lib/errors';
import type { ConnectionOptions } from '@/sdk/src/index';

/**
 * The MCP endpoint's caller: an org API key (checked here, so a bad one is a plain 401 before any
 * MCP exchange). The tools then call this console's own API with that key over loopback —
 * never the request's Host, which the caller controls — so they have exactly the key's rights.
 */
export async function mcpCaller(req: Request): Promise<ConnectionOptions> {
  const auth = req.headers.get('authorization') ?? '';
  const key = /^Bearer\s+((?:wrn|e2b)_\S+)$/i.exec(auth)?.[1];
  if (!key) throw new AppError('unauthorized', 'The MCP endpoint needs an API key: Authorization: Bearer wrn_…');
  await resolveOrgScope(req);
  return { apiKey: key, apiUrl: selfUrl() };
}

/** This console's own address: WARREN_SELF_URL when set (tests, unusual binds), else loopback on PORT. */
export function selfUrl(): string {
  return process.env.WARREN_SELF_URL || `http://127.0.0.1:${env().PORT}`;
}
