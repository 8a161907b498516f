import { eq, type SQL } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import { sharedReads } from '@/db/shared-read';
import { hashApiKey, KEY_RE } from '@/lib/api-keys/key-format';
import { AppError } from '@/lib/errors';
import { orgGateColumns } from '@/lib/billing/org-gate-columns';
import { orgGateGeneration, rememberOrgGate } from '@/lib/billing/org-gate-cache';
import { apiKeyCacheGeneration, cachedApiKey, rememberApiKey } from './api-key-cache';
import { memoClock } from './memo-freshness';
import type { OrgScope } from './scope';

const { apiKeys, orgs, users, plans, orgSandboxLimits } = schema;
const LAST_USED_RESOLUTION_MS = 60_000;

const invalid = () => new AppError('unauthorized', 'Invalid or revoked API key');

/**
 * Turns a raw `wrn_…` key into an org scope with the key's role. One indexed lookup by hash;
 * the org join means a key of a deleted org cannot exist (cascade) and is refused regardless.
 * last_used_at is written at most once a minute per key so busy agents do not write on every call.
 * A key whose creator a platform admin disabled is refused while the account stays disabled
 * (a left join: keys whose creator was deleted keep working, as before).
 * A verified key is memoised for half a second (./api-key-cache.ts says why that is safe).
 */
export async function authenticateApiKey(rawKey: string): Promise<OrgScope> {
  if (!KEY_RE.test(rawKey)) throw invalid();
  const hash = hashApiKey(rawKey);
  return cachedApiKey(hash) ?? memoisedRead(hash, eq(apiKeys.hash, hash));
}

/**
 * The same checks for a key known by id: credentials derived from a key (the E2B gateway's
 * per-sandbox access tokens) stop working when the key is revoked, expires or its creator is
 * disabled. Memoised like a raw key, in the same memo under `id:` (a hash is hex, so the two
 * never meet): every invalidation that forgets verified keys forgets these too, and another
 * console process sees a revocation within the memo's half second.
 */
export async function authenticateApiKeyId(id: string): Promise<OrgScope> {
  if (!/^[a-z0-9]{3,40}$/.test(id)) throw invalid();
  const memoKey = `id:${id}`;
  return cachedApiKey(memoKey) ?? memoisedRead(memoKey, eq(apiKeys.id, id));
}

/**
 * A memo miss reads the key once for every request that missed before the read started
 * (db/shared-read: none of them gets a row read before it asked). When a memo expires under
 * load, every request in flight misses at once: each reading the key itself queued dozens of
 * lookups on the embedded database's one session twice a second (list p99 ~100 ms there).
 */
const sharedKeyReads = sharedReads<OrgScope>();

function memoisedRead(memoKey: string, where: SQL): Promise<OrgScope> {
  return sharedKeyReads(memoKey, async () => {
    const generation = apiKeyCacheGeneration();
    const readAt = memoClock(); // the memo's age counts from before the read
    const { scope, expiresAt } = await scopeOfKey(where, readAt);
    rememberApiKey(memoKey, scope, expiresAt, generation, readAt);
    return scope;
  });
}

async function scopeOfKey(where: SQL, readAt: number): Promise<{ scope: OrgScope; expiresAt: Date | null }> {
  const db = await getDb();
  const gateGeneration = orgGateGeneration();
  const [row] = await db
    .select({ key: apiKeys, org: { id: orgs.id, slug: orgs.slug }, creatorDisabledAt: users.disabledAt, gate: orgGateColumns })
    .from(apiKeys)
    .innerJoin(orgs, eq(orgs.id, apiKeys.orgId))
    .leftJoin(users, eq(users.id, apiKeys.createdBy))
    .leftJoin(plans, eq(plans.id, orgs.planId))
    .leftJoin(orgSandboxLimits, eq(orgSandboxLimits.orgId, orgs.id))
    .where(where);
  // The API gate (lib/billing/gate.ts) reads the same org row right after this: the key's read
  // brings what it needs along, one round trip instead of two for a call the memos missed.
  if (row) rememberOrgGate(row.org.id, row.gate, gateGeneration, readAt);
  const now = Date.now();
  if (!row || row.key.revokedAt || (row.key.expiresAt && row.key.expiresAt.getTime() <= now)) throw invalid();
  if (row.creatorDisabledAt) throw new AppError('unauthorized', 'This API key was created by a disabled account; ask an org owner for a new key');

  if (!row.key.lastUsedAt || now - row.key.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
    await db.update(apiKeys).set({ lastUsedAt: new Date(now) }).where(eq(apiKeys.id, row.key.id));
  }
  const scope: OrgScope = {
    orgId: row.org.id,
    orgSlug: row.org.slug,
    role: row.key.role,
    actor: { type: 'api_key', apiKeyId: row.key.id, label: `${row.key.name} (${row.key.prefix}…)` },
  };
  return { scope, expiresAt: row.key.expiresAt };
}
