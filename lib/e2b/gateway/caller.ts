import { createHash, timingSafeEqual } from 'node:crypto';
import type http from 'node:http';
import { and, eq, gt, isNull, or } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import type { Permission } from '@/lib/auth/permissions';
import type { OrgScope } from '@/lib/auth/scope';
import { env } from '@/lib/env';
import { AppError } from '@/lib/errors';
import type { SandboxUser } from '@/lib/runner-client';
import { recentOwnedSandbox } from '@/lib/sandboxes/store';
import type { SandboxRow } from '@/lib/sandboxes/view';
import { gateOrgRequest } from '@/lib/billing/gate';
import { envdAccessToken, trafficTokenAllows, verifyEnvdAccessToken } from '../access-token';
import { methodOnly } from '../http';
import { keyIdScope } from '../scope';

/** The port envd listens on in an E2B sandbox; host names `{port}-{id}.{domain}` with it reach envd. */
export const ENVD_PORT = 49983;

export type Caller = { scope: OrgScope; row: SandboxRow; user: SandboxUser };

/**
 * Which sandbox a gateway request is for: the `E2b-Sandbox-Id` header the clients send with
 * E2B_SANDBOX_URL, else the host name `{port}-{sandboxId}.{domain}` (wildcard DNS).
 */
export function targetOf(req: http.IncomingMessage): { sandboxId: string; port: number } | null {
  const header = req.headers['e2b-sandbox-id'];
  const byHeader = Array.isArray(header) ? header[0] : header;
  if (byHeader) return /^[a-z0-9]{3,40}$/.test(byHeader) ? { sandboxId: byHeader, port: ENVD_PORT } : null;
  const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
  const suffix = `.${env().e2bDomain.replace(/:\d+$/, '').toLowerCase()}`;
  if (!host.endsWith(suffix)) return null;
  const m = /^(\d{1,5})-([a-z0-9]{3,40})$/.exec(host.slice(0, -suffix.length));
  return m ? { sandboxId: m[2]!, port: Number(m[1]) } : null;
}

/** `Authorization: Basic base64(user:)` picks the user, as envd does; `user` when absent. */
export function userOf(header: string | null | undefined): SandboxUser {
  if (!header) return 'user';
  const m = /^Basic\s+(\S+)$/i.exec(header);
  const name = m ? Buffer.from(m[1]!, 'base64').toString('utf8').split(':')[0] : '';
  if (name === 'user' || name === 'root') return name;
  throw new AppError('bad_request', `Unknown user ${JSON.stringify(name)}: Warren sandboxes have user and root`);
}

/**
 * Authorises a request by its `X-Access-Token`: valid for this sandbox only, and the API key it
 * was minted for must still be good (then that key's org scope, permission, the org's standing
 * and the key's rate limit apply, as on /api/v1). Another org's sandbox is a 404 from ownedSandbox.
 */
export async function callerByToken(
  sandboxId: string,
  token: string | null | undefined,
  method: string | undefined,
  permission: Permission,
  user: SandboxUser,
): Promise<Caller> {
  const keyId = verifyEnvdAccessToken(sandboxId, token);
  if (!keyId) throw new AppError('unauthorized', 'Invalid or missing X-Access-Token for this sandbox');
  const scope = await keyIdScope(keyId, method, permission);
  // From the sandbox memo: as exact as a read here (state changes and deletes forget it), and
  // a runner that no longer has it is the 404 a fresh read gives (lib/sandboxes/lifecycle.ts).
  return { scope, row: await recentOwnedSandbox(scope, sandboxId), user };
}

/**
 * Signed file URLs carry no token, only `v1_` + SHA-256 of `path:operation:user:token[:expiry]`
 * (the clients' own scheme). The token is one of the sandbox's org's live keys' tokens, so the
 * signature is checked against each (an org has few keys) in constant time; an expired URL, a
 * different path, operation or user never matches.
 */
export async function callerBySignature(
  sandboxId: string,
  q: {
    path: string;
    operation: 'read' | 'write';
    username: string | null;
    signature: string;
    expiration: string | null;
  },
  method: string | undefined,
): Promise<Caller> {
  const refused = () => new AppError('unauthorized', 'Invalid or expired file URL signature');
  if (q.expiration !== null && (!/^\d{1,12}$/.test(q.expiration) || Number(q.expiration) * 1000 < Date.now()))
    throw refused();
  const db = await getDb();
  const { sandboxes, apiKeys } = schema;
  const [sb] = await db
    .select({ orgId: sandboxes.orgId })
    .from(sandboxes)
    .where(and(eq(sandboxes.id, sandboxId), isNull(sandboxes.deletedAt)));
  if (!sb) throw refused();
  const keys = await db
    .select({ id: apiKeys.id })
    .from(apiKeys)
    .where(
      and(
        eq(apiKeys.orgId, sb.orgId),
        isNull(apiKeys.revokedAt),
        or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, new Date())),
      ),
    )
    .limit(1000);
  const given = Buffer.from(q.signature);
  const match = keys.find(({ id }) => {
    const expected = fileSignature(q, q.operation, envdAccessToken(sandboxId, id));
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
  if (!match) throw refused();
  const scope = await keyIdScope(match.id, method, q.operation === 'read' ? 'sandboxes:read' : 'sandboxes:write');
  return { scope, row: await recentOwnedSandbox(scope, sandboxId), user: q.username === 'root' ? 'root' : 'user' };
}

/** The clients' signature of a file URL: `v1_` + unpadded base64 SHA-256. */
function fileSignature(q: SignedQuery, operation: 'read' | 'write', token: string): Buffer {
  // No user chosen is an empty user in the signed string (and the sandbox's default user).
  const raw = `${q.path}:${operation}:${q.username ?? ''}:${token}${q.expiration !== null ? `:${q.expiration}` : ''}`;
  return Buffer.from(`v1_${createHash('sha256').update(raw).digest('base64').replace(/=+$/, '')}`);
}

type SignedQuery = { path: string; username: string | null; signature: string; expiration: string | null };

/**
 * Running sandboxes × their orgs' live keys a nameless signed URL is checked against, at most:
 * anyone may send one, and each candidate costs ~20 µs on a busy 2-core machine (~40 ms here).
 */
export const MAX_SIGNATURE_CANDIDATES = 2_000;

/**
 * Which sandbox a signed file URL is for when it names none: the clients build these URLs from
 * E2B_SANDBOX_URL, which carries no sandbox id. The signature hashes that sandbox's access token,
 * so the one running sandbox and live key whose token reproduces it is the answer (one HMAC and
 * one SHA-256 per candidate). Past MAX_SIGNATURE_CANDIDATES the search is refused: host-name
 * routing (`49983-{id}.{domain}`) names the sandbox without any search.
 */
export async function sandboxBySignature(q: SignedQuery, operation: 'read' | 'write'): Promise<string> {
  const refused = new AppError('unauthorized', 'Invalid or expired file URL signature');
  if (!/^v1_[A-Za-z0-9+/]{43}$/.test(q.signature)) throw refused;
  if (q.expiration !== null && (!/^\d{1,12}$/.test(q.expiration) || Number(q.expiration) * 1000 < Date.now())) throw refused;
  takeSearchToken();
  const db = await getDb();
  const { sandboxes, apiKeys } = schema;
  const pairs = await db
    .select({ sandboxId: sandboxes.id, keyId: apiKeys.id })
    .from(sandboxes)
    .innerJoin(apiKeys, eq(apiKeys.orgId, sandboxes.orgId))
    .where(
      and(
        eq(sandboxes.state, 'running'),
        isNull(sandboxes.deletedAt),
        isNull(apiKeys.revokedAt),
        or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, new Date())),
      ),
    )
    .limit(MAX_SIGNATURE_CANDIDATES + 1);
  if (pairs.length > MAX_SIGNATURE_CANDIDATES)
    throw new AppError(
      'bad_request',
      'Too many running sandboxes to find the one this file URL is for: route by host name ({port}-{sandboxId}.{domain}, wildcard DNS) or send E2b-Sandbox-Id',
    );
  const given = Buffer.from(q.signature);
  for (const [i, { sandboxId, keyId }] of pairs.entries()) {
    if (i % 250 === 249) await new Promise((r) => setImmediate(r)); // let other requests in between
    const expected = fileSignature(q, operation, envdAccessToken(sandboxId, keyId));
    if (expected.length === given.length && timingSafeEqual(expected, given)) return sandboxId;
  }
  throw refused;
}

/**
 * Anyone can send a nameless signed URL, and each costs up to MAX_SIGNATURE_CANDIDATES hashes: the
 * searches of this process are capped at SEARCHES_PER_SEC (a bucket of a second's worth), so a
 * flood of forged URLs costs at most that much CPU and answers 429; host-name routing is unlimited.
 */
const SEARCHES_PER_SEC = 20;
const searches = { tokens: SEARCHES_PER_SEC, at: Date.now() };
function takeSearchToken(now = Date.now()): void {
  searches.tokens = Math.min(SEARCHES_PER_SEC, searches.tokens + ((now - searches.at) / 1000) * SEARCHES_PER_SEC);
  searches.at = now;
  if (searches.tokens < 1) {
    throw new AppError('rate_limited', 'Too many file URLs without a sandbox in their host name right now: retry in a second, or route by host name', { retryAfterSec: 1 });
  }
  searches.tokens -= 1;
}

/**
 * Public traffic to a sandbox's port (no API key behind it): allowed when the sandbox was made
 * with E2B's public traffic, or with its traffic token. It acts in the sandbox's org as a
 * developer would, after the same standing check (a suspended org's sandboxes answer nothing).
 */
export async function callerByTraffic(sandboxId: string, trafficToken: string | undefined, method: string | undefined): Promise<Caller> {
  const db = await getDb();
  const { sandboxes, orgs } = schema;
  const [row] = await db
    .select({ sb: sandboxes, slug: orgs.slug })
    .from(sandboxes)
    .innerJoin(orgs, eq(orgs.id, sandboxes.orgId))
    .where(and(eq(sandboxes.id, sandboxId), isNull(sandboxes.deletedAt)));
  if (!row || !(row.sb.e2bPublicPorts || trafficTokenAllows(sandboxId, trafficToken))) throw new AppError('not_found', 'Sandbox not found or its ports are not public');
  const scope: OrgScope = {
    orgId: row.sb.orgId,
    orgSlug: row.slug,
    role: 'developer',
    actor: { type: 'user', userId: '', label: `public traffic to ${sandboxId}`, isPlatformAdmin: false },
  };
  await gateOrgRequest(methodOnly(method), scope, 'sandboxes:write');
  return { scope, row: row.sb, user: 'user' };
}
