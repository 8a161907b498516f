import { and, desc, eq, isNull } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import { forgetVerifiedApiKeys } from '@/lib/auth/api-key-cache';
import { can, canGrant, type Role } from '@/lib/auth/permissions';
import type { OrgScope } from '@/lib/auth/scope';
import { type AuditActor, recordAudit } from '@/lib/audit/audit';
import { AppError, conflict, forbidden, notFound } from '@/lib/errors';
import { displayName } from '@/lib/schemas/common';
import { type KeyFormat, keyParts, newApiKey } from './key-format';

const { apiKeys } = schema;
const DAY_MS = 86_400_000;

type ApiKeyRow = typeof apiKeys.$inferSelect;
export type ApiKeyView = {
  id: string;
  name: string;
  prefix: string;
  last4: string;
  role: Role;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
};

// Never includes the hash: the view is what every listing returns.
export const toApiKeyView = (k: ApiKeyRow): ApiKeyView => ({
  id: k.id,
  name: k.name,
  prefix: k.prefix,
  last4: k.last4,
  role: k.role,
  createdAt: k.createdAt.toISOString(),
  expiresAt: k.expiresAt?.toISOString() ?? null,
  lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
  revokedAt: k.revokedAt?.toISOString() ?? null,
});

/** A key never has more rights than whoever creates it. The full key is returned only here. */
export async function createApiKey(
  scope: OrgScope,
  input: { name: string; role?: Role; expiresInDays?: number | null; format?: KeyFormat },
  opts: { auditActor?: AuditActor } = {},
): Promise<{ apiKey: ApiKeyView; key: string }> {
  if (!can(scope.role, 'api_keys:write')) throw forbidden();
  const role = input.role ?? 'developer';
  if (!canGrant(scope.role, role)) throw forbidden(`Your role (${scope.role}) cannot create a key with role ${role}`);
  const name = displayName().parse(input.name);
  const days = input.expiresInDays ?? null;
  if (days !== null && (!Number.isInteger(days) || days < 1 || days > 365)) {
    throw new AppError('bad_request', 'expiresInDays must be 1–365, or omitted for a key that does not expire');
  }
  const key = newApiKey(input.format ?? 'warren');
  const db = await getDb();
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(apiKeys)
      .values({
        orgId: scope.orgId,
        name,
        role,
        ...keyParts(key),
        createdBy: scope.actor.type === 'user' ? scope.actor.userId : null,
        expiresAt: days ? new Date(Date.now() + days * DAY_MS) : null,
      })
      .returning();
    await recordAudit(opts.auditActor ?? scope, 'api_key.create', { type: 'api_key', id: row!.id }, { name, role, prefix: row!.prefix, format: input.format ?? 'warren' }, tx);
    return { apiKey: toApiKeyView(row!), key };
  });
}

/** Active keys first (newest first); revoked keys stay listed so the audit trail reads. */
export async function listApiKeys(scope: OrgScope): Promise<ApiKeyView[]> {
  const db = await getDb();
  const rows = await db.select().from(apiKeys).where(eq(apiKeys.orgId, scope.orgId)).orderBy(desc(apiKeys.createdAt));
  return rows.map(toApiKeyView).sort((a, b) => Number(a.revokedAt !== null) - Number(b.revokedAt !== null));
}

export async function revokeApiKey(scope: OrgScope, id: string): Promise<ApiKeyView> {
  if (!can(scope.role, 'api_keys:write')) throw forbidden();
  const db = await getDb();
  const revoked = await db.transaction(async (tx) => {
    const [existing] = await tx.select().from(apiKeys).where(and(eq(apiKeys.id, id), eq(apiKeys.orgId, scope.orgId)));
    if (!existing) throw notFound('API key');
    // A developer must not revoke an admin's key: same rule as creating one.
    if (!canGrant(scope.role, existing.role)) throw forbidden(`Your role (${scope.role}) cannot revoke a ${existing.role} key`);
    const [row] = await tx
      .update(apiKeys)
      .set({ revokedAt: new Date() })
      .where(and(eq(apiKeys.id, id), eq(apiKeys.orgId, scope.orgId), isNull(apiKeys.revokedAt)))
      .returning();
    if (!row) throw conflict('This API key is already revoked');
    await recordAudit(scope, 'api_key.revoke', { type: 'api_key', id }, { name: row.name, prefix: row.prefix }, tx);
    return toApiKeyView(row);
  });
  forgetVerifiedApiKeys(); // after the commit: the next request reads the revoked row
  return revoked;
}
