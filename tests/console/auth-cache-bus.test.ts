import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '@/lib/api-keys/api-keys';
import { hashApiKey } from '@/lib/api-keys/key-format';
import { authenticateApiKey } from '@/lib/auth/api-key-auth';
import { cachedApiKey } from '@/lib/auth/api-key-cache';
import { SHORT_TTL_MS } from '@/lib/auth/memo-freshness';
import { gateOrgRequest } from '@/lib/billing/gate';
import { cachedOrgGate } from '@/lib/billing/org-gate-cache';
import { logger } from '@/lib/logger';
import { authCacheBus } from '@/lib/server/auth-cache-bus';
import { recallSandboxRow, rememberSandboxRow, sandboxRowGeneration } from '@/lib/sandboxes/sandbox-row-memo';
import { ownedSandbox } from '@/lib/sandboxes/store';
import { memoClock } from '@/lib/auth/memo-freshness';
import { makeOrg, makeSandboxRow } from './helpers/fixtures';
import { usePrivateDb } from './helpers/private-db';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * With the console's listener running (lib/server/auth-cache-bus.ts), memos of API keys and org
 * gates live up to a minute, and a change made by anyone else (here: a plain UPDATE on a
 * connection of its own, as another console or psql would make it) reaches them when it
 * commits. A database of its own: no other test file's changes flush these memos.
 */
describe('API key and org gate memos across consoles', () => {
  let dropDb: () => Promise<void>;
  let stopBus: (() => Promise<void>) | undefined;
  let other: postgres.Sql; // "another console"
  beforeAll(async () => {
    dropDb = await usePrivateDb('authbus');
    stopBus = await authCacheBus({ log: logger });
    other = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
    await sleep(400); // the first heartbeats come back
  });
  afterAll(async () => {
    await stopBus?.();
    await other.end();
    await dropDb();
  });

  /** How long until `check` holds, polling; fails past `withinMs`. */
  async function msUntil(check: () => Promise<boolean>, withinMs: number): Promise<number> {
    const t0 = performance.now();
    while (!(await check())) {
      if (performance.now() - t0 > withinMs) throw new Error(`not within ${withinMs} ms`);
      await sleep(5);
    }
    return performance.now() - t0;
  }
  const refused = (key: string) => () => authenticateApiKey(key).then(() => false, (err: { code?: string }) => err.code === 'unauthorized');

  it('a memo outlives half a second while the listener is heard, and a revocation made elsewhere ends it at once', async () => {
    const { scope } = await makeOrg();
    const { apiKey, key } = await createApiKey(scope, { name: 'bus' });
    await authenticateApiKey(key);
    await sleep(SHORT_TTL_MS + 300);
    expect(cachedApiKey(hashApiKey(key))).toMatchObject({ orgId: scope.orgId }); // still memoised
    await other`update api_keys set revoked_at = now() where id = ${apiKey.id}`;
    expect(await msUntil(refused(key), 1000)).toBeLessThan(300);
  });

  it('a suspension made elsewhere reaches the org gate memo at once', async () => {
    const { scope } = await makeOrg();
    const { key } = await createApiKey(scope, { name: 'gate' });
    const keyScope = await authenticateApiKey(key); // fills the gate memo too
    await sleep(SHORT_TTL_MS + 300);
    expect(cachedOrgGate(scope.orgId)).toMatchObject({ suspendedAt: null });
    await other`update orgs set suspended_at = now(), suspended_reason = 'manual' where id = ${scope.orgId}`;
    const req = new Request('http://localhost/api/v1/sandboxes', { method: 'POST' });
    const suspended = () => gateOrgRequest(req, keyScope, 'sandboxes:write').then(() => false, (err: { code?: string }) => err.code === 'org_suspended');
    expect(await msUntil(suspended, 1000)).toBeLessThan(300);
  });

  it('a sandbox deleted or changing state elsewhere leaves the sandbox memo at once; other writes do not', async () => {
    const { scope } = await makeOrg();
    const id = await makeSandboxRow(scope);
    const remember = async () => rememberSandboxRow(await ownedSandbox(scope, id), sandboxRowGeneration(), memoClock());
    await remember();
    await sleep(SHORT_TTL_MS + 300);
    expect(recallSandboxRow(scope.orgId, id)).toMatchObject({ id, orgId: scope.orgId, state: 'running' });
    expect(recallSandboxRow('someotherorg', id)).toBeUndefined();
    // The runner's reports rewrite its times without changing the state: nothing to forget.
    await other`update sandboxes set last_activity_at = now() where id = ${id}`;
    await sleep(300);
    expect(recallSandboxRow(scope.orgId, id)).toBeDefined();
    await other`update sandboxes set state = 'paused' where id = ${id}`;
    expect(await msUntil(async () => recallSandboxRow(scope.orgId, id) === undefined, 1000)).toBeLessThan(300);
    await remember();
    await sleep(SHORT_TTL_MS + 300);
    expect(recallSandboxRow(scope.orgId, id)).toMatchObject({ state: 'paused' });
    await other`update sandboxes set deleted_at = now() where id = ${id}`;
    expect(await msUntil(async () => recallSandboxRow(scope.orgId, id) === undefined, 1000)).toBeLessThan(300);
  });

  it('a memo that already shows what a changed row became stays (a create remembers its own running row); any other change forgets it', async () => {
    const { scope } = await makeOrg();
    const id = await makeSandboxRow(scope);
    await other`update sandboxes set state = 'creating' where id = ${id}`;
    await sleep(300);
    // As a create remembers the row its creating → running write returned, before that write's notice comes.
    const running = { ...(await ownedSandbox(scope, id)), state: 'running' as const };
    rememberSandboxRow(running, sandboxRowGeneration(), memoClock());
    await other`update sandboxes set state = 'running' where id = ${id}`;
    await sleep(SHORT_TTL_MS + 300);
    expect(recallSandboxRow(scope.orgId, id)).toMatchObject({ id, state: 'running' });
    // Moved to another runner: the memo named the old one.
    await other`update sandboxes set runner_id = 'elsewhere' where id = ${id}`;
    expect(await msUntil(async () => recallSandboxRow(scope.orgId, id) === undefined, 1000)).toBeLessThan(300);
    // A read that began before a change committed is not remembered, even when the notice matches what it read.
    const generation = sandboxRowGeneration();
    const before = await ownedSandbox(scope, id);
    await other`update sandboxes set state = 'paused' where id = ${id}`;
    await other`update sandboxes set state = 'running' where id = ${id}`;
    await sleep(300);
    rememberSandboxRow(before, generation, memoClock());
    expect(recallSandboxRow(scope.orgId, id)).toBeUndefined();
  });

  it('a key used often is not forgotten by its own last-used writes', async () => {
    const { scope } = await makeOrg();
    const { apiKey, key } = await createApiKey(scope, { name: 'busy' });
    await authenticateApiKey(key);
    await sleep(SHORT_TTL_MS + 100);
    await other`update api_keys set last_used_at = now() where id = ${apiKey.id}`;
    await sleep(300);
    expect(cachedApiKey(hashApiKey(key))).toBeDefined();
  });

  it('when the listening connection is killed, everything memoised is forgotten as it comes back, and it hears again', async () => {
    const { scope } = await makeOrg();
    const { apiKey, key } = await createApiKey(scope, { name: 'reconnect' });
    await authenticateApiKey(key);
    const killedAt = performance.now();
    await other`select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and query ilike 'listen%warren_auth_cache%'`;
    // Forgotten by the reconnection, not by age: the memo was read just now (half a second).
    await msUntil(async () => cachedApiKey(hashApiKey(key)) === undefined, 2000);
    expect(performance.now() - killedAt).toBeLessThan(SHORT_TTL_MS - 50);
    await authenticateApiKey(key);
    await sleep(SHORT_TTL_MS + 300);
    expect(cachedApiKey(hashApiKey(key))).toBeDefined(); // heartbeats heard again: a long memo
    await other`update api_keys set revoked_at = now() where id = ${apiKey.id}`;
    expect(await msUntil(refused(key), 1000)).toBeLessThan(300);
  });

  it('a listener that stops hearing without its connection closing (its server process frozen) still lets a revocation through within a second', async () => {
    const { scope } = await makeOrg();
    const { apiKey, key } = await createApiKey(scope, { name: 'frozen' });
    await authenticateApiKey(key);
    await sleep(SHORT_TTL_MS + 300); // a long memo now
    const [listener] = await other`select pid from pg_stat_activity where datname = current_database() and query ilike 'listen%warren_auth_cache%'`;
    const pid = Number(listener!.pid);
    process.kill(pid, 'SIGSTOP'); // the connection stays open; nothing more arrives on it
    try {
      await other`update api_keys set revoked_at = now() where id = ${apiKey.id}`;
      const revokedAt = performance.now();
      await expect(authenticateApiKey(key)).resolves.toMatchObject({ orgId: scope.orgId }); // not heard
      await msUntil(refused(key), 2000);
      expect(performance.now() - revokedAt).toBeLessThan(1000);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
  });

  it('a TRUNCATE, which fires no delete trigger, reaches the memos too', async () => {
    const { scope } = await makeOrg();
    const { key } = await createApiKey(scope, { name: 'truncated' });
    await authenticateApiKey(key);
    await sleep(SHORT_TTL_MS + 300);
    expect(cachedApiKey(hashApiKey(key))).toBeDefined();
    await other`truncate api_keys cascade`;
    expect(await msUntil(refused(key), 1000)).toBeLessThan(300);
  });
});
