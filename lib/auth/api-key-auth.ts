import { eq } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import { hashApiKey, KEY_RE } from '@/lib/api-keys/key-format';
import { AppError } from '@/lib/errors';
import type { OrgScope } from './scope';

const { apiKeys, orgs, users } = schema;
const LAST_USED_RESOLUTION_MS = 60_000;

const invalid = () => new AppError('unauthorized', 'Invalid or revoked API key');

/**
 * Turns a raw `wrn_…` key into an org scope with the key's role. One indexed lookup by hash;
 * the org join means a key of a deleted org cannot exist (cascade) and is refused regardless.
 * last_used_at is written at most once a minute per key so busy agents do not write on every call.
 * A key whose creator a platform admin disabled is refused while the account stays disabled
 * (a left join: keys whose creator was deleted keep working, as before).
 */
export async function authenticateApiKey(rawKey: string): Promise<OrgScope> {
  if (!KEY_RE.test(rawKey)) throw invalid();
  const db = await getDb();
  const [row] = await db
    .select({ key: apiKeys, org: { id: orgs.id, slug: orgs.slug }, creatorDisabledAt: users.disabledAt })
    .from(apiKeys)
    .innerJoin(orgs, eq(orgs.id, apiKeys.orgId))
    .leftJoin(users, eq(users.id, apiKeys.createdBy))
    .where(eq(apiKeys.hash, hashApiKey(rawKey)));
  const now = Date.now();
  if (!row || row.key.revokedAt || (row.key.expiresAt && row.key.expiresAt.getTime() <= now)) throw invalid();
  if (row.creatorDisabledAt) throw new AppError('unauthorized', 'This API key was created by a disabled account; ask an org owner for a new key');

  if (!row.key.lastUsedAt || now - row.key.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
    await db.update(apiKeys).set({ lastUsedAt: new Date(now) }).where(eq(apiKeys.id, row.key.id));
  }
  return {
    orgId: row.org.id,
    orgSlug: row.org.slug,
    role: row.key.role,
    actor: { type: 'api_key', apiKeyId: row.key.id, label: `${row.key.name} (${row.key.prefix}…)` },
  };
}
