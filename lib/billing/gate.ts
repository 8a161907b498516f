import { eq } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import type { Permission } from '@/lib/auth/permissions';
import type { OrgScope } from '@/lib/auth/scope';
import { AppError } from '@/lib/errors';
import { envLimits } from './plan-defaults';
import { memoClock } from '@/lib/auth/memo-freshness';
import { cachedOrgGate, type OrgGate, orgGateGeneration, rememberOrgGate } from './org-gate-cache';
import { orgGateColumns } from './org-gate-columns';
import { takeLeasedApiToken } from './rate-lease';
import { suspendedError } from './standing';

/**
 * What a suspended org may still do through the API: read its billing, usage and quotas, and
 * the org itself (so the console and SDKs can say why). Everything else is 403 org_suspended,
 * reads of sandboxes and files included: suspension is for abuse and unpaid bills, and
 * nothing of the org's should be served meanwhile. Members are unaffected elsewhere.
 */
const READABLE_WHEN_SUSPENDED: ReadonlySet<Permission> = new Set(['billing:read', 'usage:read', 'org:read']);

/**
 * Runs before every org-scoped API handler (lib/api/handler.ts), right after the caller is known:
 * a suspended org's requests are refused, and an API key's request takes a token from its
 * bucket (429 rate_limited with Retry-After when empty). Console sessions are people clicking,
 * not agents: they are not rate limited. The org's state and limit are memoised for half a second
 * (./org-gate-cache.ts) and a busy key's tokens are leased (./rate-lease.ts), so a burst of calls
 * costs no query here for most of its requests.
 */
export async function gateOrgRequest(req: Request, scope: OrgScope, permission: Permission): Promise<void> {
  const db = await getDb();
  const org = cachedOrgGate(scope.orgId) ?? (await readOrgGate(db, scope.orgId));
  if (!org) return; // the org went away meanwhile; the handler answers 404
  const read = req.method === 'GET' || req.method === 'HEAD';
  if (org.suspendedAt && !(read && READABLE_WHEN_SUSPENDED.has(permission))) {
    throw suspendedError({ at: org.suspendedAt.toISOString(), reason: org.suspendedReason });
  }
  if (scope.actor.type !== 'api_key') return;
  const perMinute = Number(org.rpm ?? envLimits().apiRequestsPerMinute);
  const take = await takeLeasedApiToken(scope.actor.apiKeyId, perMinute, db);
  if (!take.allowed) {
    throw new AppError('rate_limited', `This API key is over its org's limit of ${perMinute} requests per minute; retry in ${take.retryAfterSec} s`, {
      limit: 'apiRequestsPerMinute',
      max: perMinute,
      retryAfterSec: take.retryAfterSec,
    });
  }
}

async function readOrgGate(db: Awaited<ReturnType<typeof getDb>>, orgId: string): Promise<OrgGate | undefined> {
  const { orgs, plans, orgSandboxLimits } = schema;
  const generation = orgGateGeneration();
  const readAt = memoClock();
  const [org] = await db
    .select(orgGateColumns)
    .from(orgs)
    .leftJoin(plans, eq(plans.id, orgs.planId))
    .leftJoin(orgSandboxLimits, eq(orgSandboxLimits.orgId, orgs.id))
    .where(eq(orgs.id, orgId));
  if (org) rememberOrgGate(orgId, org, generation, readAt);
  return org;
}
