import { spawn } from 'node:child_process';
import { eq } from 'drizzle-orm';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { closeDb, getDb, schema } from '@/db';
import { disableUser, enableUser } from '@/lib/admin/user-actions';
import { createApiKey, revokeApiKey } from '@/lib/api-keys/api-keys';
import { authenticateApiKey } from '@/lib/auth/api-key-auth';
import { API_KEY_CACHE_TTL_MS, forgetVerifiedApiKeys } from '@/lib/auth/api-key-cache';
import { updateOrg } from '@/lib/orgs/orgs';
import { makeOrg, makeUser, uniq } from './helpers/fixtures';

afterAll(closeDb);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Verified keys are memoised briefly (lib/auth/api-key-cache.ts). These tests prove the memo is
 * in use (a change made behind its back is not seen at once) and that nothing it holds outlives
 * a revocation: at once in the process that made the change, within a second in another one.
 */
describe('API key memo', () => {
  it('is used: a change made straight in the database shows only once the entry expires', async () => {
    const { scope } = await makeOrg();
    const { apiKey, key } = await createApiKey(scope, { name: 'memo', role: 'developer' });
    await authenticateApiKey(key);
    const db = await getDb();
    await db.update(schema.apiKeys).set({ revokedAt: new Date() }).where(eq(schema.apiKeys.id, apiKey.id));
    await expect(authenticateApiKey(key)).resolves.toMatchObject({ orgId: scope.orgId });
    await sleep(API_KEY_CACHE_TTL_MS + 50);
    await expect(authenticateApiKey(key)).rejects.toMatchObject({ code: 'unauthorized' });
  });

  it('a revoked key fails on the very next request of the same process', async () => {
    const { scope } = await makeOrg();
    const { apiKey, key } = await createApiKey(scope, { name: 'revoke me' });
    await authenticateApiKey(key);
    await revokeApiKey(scope, apiKey.id);
    await expect(authenticateApiKey(key)).rejects.toMatchObject({ code: 'unauthorized', message: 'Invalid or revoked API key' });
  });

  it('requests that miss the memo together share one lookup; a request after a revocation never gets it', async () => {
    const { scope } = await makeOrg();
    const { apiKey, key } = await createApiKey(scope, { name: 'shared lookup' });
    for (let round = 0; round < 3; round++) {
      // A fresh memo each round: every one of these misses, as in-flight requests do when it expires.
      forgetVerifiedApiKeys();
      const burst = await Promise.all(Array.from({ length: 20 }, () => authenticateApiKey(key)));
      expect(new Set(burst.map((s) => s.orgId))).toEqual(new Set([scope.orgId]));
    }
    forgetVerifiedApiKeys();
    // Settled from the start: those that lose the race to the revocation reject before we look.
    const inFlight = Promise.allSettled(Array.from({ length: 20 }, () => authenticateApiKey(key)));
    await revokeApiKey(scope, apiKey.id);
    await expect(authenticateApiKey(key)).rejects.toMatchObject({ code: 'unauthorized' });
    // Those asked before the revocation may have been answered either way; none is left hanging.
    const settled = await inFlight;
    for (const s of settled) if (s.status === 'rejected') expect(s.reason).toMatchObject({ code: 'unauthorized' });
    await expect(authenticateApiKey(key)).rejects.toMatchObject({ code: 'unauthorized' });
  });

  it('a key expiring while memoised fails at its expiry, not at the end of the memo', async () => {
    const { scope } = await makeOrg();
    const { apiKey, key } = await createApiKey(scope, { name: 'short', expiresInDays: 1 });
    const db = await getDb();
    await db.update(schema.apiKeys).set({ expiresAt: new Date(Date.now() + 150) }).where(eq(schema.apiKeys.id, apiKey.id));
    await authenticateApiKey(key);
    await sleep(200);
    await expect(authenticateApiKey(key)).rejects.toMatchObject({ code: 'unauthorized' });
  });

  it('disabling the creator refuses their keys at once; enabling restores them at once', async () => {
    const { owner, scope } = await makeOrg();
    const { key } = await createApiKey(scope, { name: 'creator' });
    await authenticateApiKey(key);
    const admin = { ...(await makeUser()), isPlatformAdmin: true };
    await getDb().then((db) => db.update(schema.users).set({ isPlatformAdmin: true }).where(eq(schema.users.id, admin.userId)));
    await disableUser(admin, owner.userId, { reason: 'abuse' });
    await expect(authenticateApiKey(key)).rejects.toMatchObject({ code: 'unauthorized', message: expect.stringMatching(/disabled account/) });
    await enableUser(admin, owner.userId);
    await expect(authenticateApiKey(key)).resolves.toMatchObject({ orgId: scope.orgId });
  });

  it('a renamed org is seen on the next request', async () => {
    const { scope } = await makeOrg();
    const { key } = await createApiKey(scope, { name: 'slug' });
    await authenticateApiKey(key);
    const slug = `r-${uniq()}`;
    await updateOrg(scope, { slug });
    await expect(authenticateApiKey(key)).resolves.toMatchObject({ orgSlug: slug });
  });

  it('a key revoked by one console process fails in another one within a second', async () => {
    const { scope } = await makeOrg();
    const { apiKey, key } = await createApiKey(scope, { name: 'two consoles' });
    const child = spawn(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'tests/console/helpers/key-poller.ts'], {
      env: { ...process.env, DATABASE_URL: inject('databaseUrl'), KEY: key, WARREN_LOG_LEVEL: 'warn' },
      cwd: process.cwd(),
    });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const exited = new Promise((r) => child.on('close', r));
    for (let i = 0; i < 600 && !out.includes('accepted'); i++) await sleep(50);
    expect(out).toContain('accepted');
    await sleep(100); // the other process is now answering from its memo
    const revokedAt = Date.now();
    await revokeApiKey(scope, apiKey.id);
    await exited;
    const refusedAt = Number(/refused (\d+)/.exec(out)?.[1]);
    expect(refusedAt - revokedAt).toBeLessThan(1000);
  }, 60_000);
});
