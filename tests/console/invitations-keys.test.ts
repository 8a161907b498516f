import { eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { closeDb, getDb, schema } from '@/db';
import { createApiKey, listApiKeys, revokeApiKey } from '@/lib/api-keys/api-keys';
import { authenticateApiKey } from '@/lib/auth/api-key-auth';
import { API_KEY_CACHE_TTL_MS } from '@/lib/auth/api-key-cache';
import { acceptInvitation, createInvitation, listInvitations, previewInvitation, revokeInvitation } from '@/lib/invitations/invitations';
import { hashToken } from '@/lib/invitations/token';
import { listMembers } from '@/lib/members/members';
import { deleteOrg } from '@/lib/orgs/orgs';
import { addMember, makeOrg, makeUser } from './helpers/fixtures';

afterAll(closeDb);

describe('invitations', () => {
  it('stores only the token hash, previews, and accepts exactly once', async () => {
    const { scope } = await makeOrg();
    const { invitation, token } = await createInvitation(scope, { role: 'developer' });
    const db = await getDb();
    const [row] = await db.select().from(schema.invitations).where(eq(schema.invitations.id, invitation.id));
    expect(row!.tokenHash).toBe(hashToken(token));
    expect(JSON.stringify(row)).not.toContain(token);
    expect(Date.parse(invitation.expiresAt) - Date.now()).toBeGreaterThan(6.9 * 86_400_000);

    expect(await previewInvitation(token)).toMatchObject({ org: { slug: scope.orgSlug, name: 'Test org' }, role: 'developer' });
    expect((await listInvitations(scope)).map((i) => i.id)).toEqual([invitation.id]);

    const [a, b] = [await makeUser(), await makeUser()];
    const results = await Promise.allSettled([acceptInvitation(a, token), acceptInvitation(b, token)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'conflict' } });
    expect((await listMembers(scope)).filter((m) => m.role === 'developer')).toHaveLength(1);
    expect(await listInvitations(scope)).toEqual([]);
    await expect(previewInvitation(token)).rejects.toMatchObject({ message: expect.stringMatching(/already been used/) });
  });

  it('refuses expired, revoked and unknown tokens with clear messages', async () => {
    const { scope } = await makeOrg();
    const expired = await createInvitation(scope, { role: 'viewer' });
    const db = await getDb();
    await db.update(schema.invitations).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(schema.invitations.id, expired.invitation.id));
    const u = await makeUser();
    await expect(acceptInvitation(u, expired.token)).rejects.toMatchObject({ code: 'conflict', message: 'This invitation has expired' });

    const revoked = await createInvitation(scope, { role: 'viewer' });
    await revokeInvitation(scope, revoked.invitation.id);
    await expect(revokeInvitation(scope, revoked.invitation.id)).rejects.toMatchObject({ code: 'conflict' });
    await expect(acceptInvitation(u, revoked.token)).rejects.toMatchObject({ message: expect.stringMatching(/revoked/) });
    await expect(previewInvitation('x'.repeat(43))).rejects.toMatchObject({ code: 'not_found' });
    expect((await listMembers(scope)).map((m) => m.userId)).not.toContain(u.userId);
  });

  it('binds an addressed invitation to that e-mail; a member accepting is a no-op', async () => {
    const { owner, scope } = await makeOrg();
    const invitee = await makeUser();
    const { token } = await createInvitation(scope, { role: 'viewer', email: invitee.email.toUpperCase() });
    await expect(acceptInvitation(await makeUser(), token)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(acceptInvitation(owner, token)).resolves.toMatchObject({ alreadyMember: true, role: 'owner' });
    await expect(acceptInvitation(invitee, token)).resolves.toMatchObject({ alreadyMember: false, role: 'viewer' });
  });

  it('lets an admin invite up to admin but not owner; not another org’s invitation', async () => {
    const { scope } = await makeOrg();
    const admin = await addMember(scope, 'admin');
    await expect(createInvitation(admin.scope, { role: 'owner' })).rejects.toMatchObject({ code: 'forbidden' });
    const ok = await createInvitation(admin.scope, { role: 'admin' });
    const other = await makeOrg();
    await expect(revokeInvitation(other.scope, ok.invitation.id)).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('API keys', () => {
  it('shows the key once; the database holds its hash, prefix and last four only', async () => {
    const { scope } = await makeOrg();
    const { apiKey, key } = await createApiKey(scope, { name: 'CI', role: 'developer' });
    expect(key).toMatch(/^wrn_[A-Za-z0-9]{40}$/);
    expect(apiKey).toMatchObject({ prefix: key.slice(0, 12), last4: key.slice(-4), role: 'developer', lastUsedAt: null });
    const db = await getDb();
    const rows = await db.select().from(schema.apiKeys).where(eq(schema.apiKeys.orgId, scope.orgId));
    expect(JSON.stringify(rows)).not.toContain(key);
    expect(JSON.stringify(rows)).not.toContain(key.slice(12, -4));
    expect(JSON.stringify(await listApiKeys(scope))).not.toContain(rows[0]!.hash);
  });

  it('authenticates as the org with the key role and records last use, at most once a minute', async () => {
    const { scope } = await makeOrg();
    const { apiKey, key } = await createApiKey(scope, { name: 'agent', role: 'viewer' });
    const s = await authenticateApiKey(key);
    expect(s).toMatchObject({ orgId: scope.orgId, orgSlug: scope.orgSlug, role: 'viewer', actor: { type: 'api_key', apiKeyId: apiKey.id } });
    const db = await getDb();
    const read = async () => (await db.select().from(schema.apiKeys).where(eq(schema.apiKeys.id, apiKey.id)))[0]!.lastUsedAt;
    const first = await read();
    expect(first).toBeInstanceOf(Date);
    await authenticateApiKey(key);
    expect(await read()).toEqual(first);
    await db.update(schema.apiKeys).set({ lastUsedAt: new Date(Date.now() - 120_000) }).where(eq(schema.apiKeys.id, apiKey.id));
    await new Promise((r) => setTimeout(r, API_KEY_CACHE_TTL_MS + 50)); // past the verified-key memo
    await authenticateApiKey(key);
    expect((await read())!.getTime()).toBeGreaterThan(Date.now() - 10_000);
  });

  it('refuses revoked, expired, unknown and malformed keys with 401', async () => {
    const { scope } = await makeOrg();
    const revoked = await createApiKey(scope, { name: 'old' });
    await revokeApiKey(scope, revoked.apiKey.id);
    const expired = await createApiKey(scope, { name: 'short', expiresInDays: 1 });
    const db = await getDb();
    await db.update(schema.apiKeys).set({ expiresAt: new Date(Date.now() - 1) }).where(eq(schema.apiKeys.id, expired.apiKey.id));
    const unknown = `wrn_${'A'.repeat(40)}`;
    for (const k of [revoked.key, expired.key, unknown, 'wrn_short', `${revoked.key}x`]) {
      await expect(authenticateApiKey(k)).rejects.toMatchObject({ code: 'unauthorized', message: 'Invalid or revoked API key' });
    }
  });

  it('a key dies with its org', async () => {
    // makeOrg's owner also has a personal org, so deleting this one is allowed.
    const { scope } = await makeOrg();
    const { key } = await createApiKey(scope, { name: 'doomed', role: 'owner' });
    await expect(authenticateApiKey(key)).resolves.toMatchObject({ orgId: scope.orgId });
    await deleteOrg(scope, { confirm: scope.orgSlug });
    await expect(authenticateApiKey(key)).rejects.toMatchObject({ code: 'unauthorized' });
  });

  it('never mints a key above the creator’s role, and a developer cannot revoke an admin key', async () => {
    const { scope } = await makeOrg();
    const dev = await addMember(scope, 'developer');
    await expect(createApiKey(dev.scope, { name: 'x', role: 'admin' })).rejects.toMatchObject({ code: 'forbidden' });
    const adminKey = await createApiKey(scope, { name: 'admin key', role: 'admin' });
    await expect(revokeApiKey(dev.scope, adminKey.apiKey.id)).rejects.toMatchObject({ code: 'forbidden' });
    const viewer = await addMember(scope, 'viewer');
    await expect(createApiKey(viewer.scope, { name: 'x', role: 'viewer' })).rejects.toMatchObject({ code: 'forbidden' });
    const other = await makeOrg();
    await expect(revokeApiKey(other.scope, adminKey.apiKey.id)).rejects.toMatchObject({ code: 'not_found' });
  });
});
