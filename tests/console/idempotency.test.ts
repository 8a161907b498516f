import { and, eq, isNull, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as execRoute from '@/app/api/v1/sandboxes/[id]/exec/route';
import * as snapshotsRoute from '@/app/api/v1/sandboxes/[id]/snapshots/route';
import * as list from '@/app/api/v1/sandboxes/route';
import { getDb, schema } from '@/db';
import { sweepIdempotencyKeys } from '@/lib/api/idempotency';
import type { RunnerHandle } from '../runner/harness';
import { api, makeTestOrg, type TestOrg, teardown, useRunner } from './sandboxes-fixture';

/**
 * An agent that retries after a timeout must not get a second sandbox (or snapshot, or a second
 * run of a command): with an `Idempotency-Key`, a retry replays the first answer.
 */
let runner: RunnerHandle;
let A: TestOrg;
let B: TestOrg;
beforeAll(async () => {
  [runner, A, B] = await Promise.all([useRunner(), makeTestOrg(), makeTestOrg()]);
});
afterAll(() => teardown(runner));

const liveSandboxes = async (orgId: string) => {
  const db = await getDb();
  return db
    .select({ id: schema.sandboxes.id })
    .from(schema.sandboxes)
    .where(and(eq(schema.sandboxes.orgId, orgId), isNull(schema.sandboxes.deletedAt)));
};

describe('Idempotency-Key', () => {
  it('a retried create returns the first sandbox, concurrently or later, and creates one', async () => {
    const key = `create-${Date.now()}`;
    const body = { metadata: { job: 'retry' } };
    const headers = { 'idempotency-key': key };
    const [a, b] = await Promise.all([
      api(list.POST, 'POST', '/sandboxes', { key: A.developer, body, headers }),
      api(list.POST, 'POST', '/sandboxes', { key: A.developer, body, headers }),
    ]);
    // One ran; the other either waited its turn (409, retry) or was given the same answer.
    const created = [a, b].filter((r) => r.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    for (const r of [a, b]) expect([201, 409]).toContain(r.status);
    const later = await api(list.POST, 'POST', '/sandboxes', { key: A.developer, body, headers });
    expect(later.status).toBe(201);
    expect(later.res.headers.get('idempotent-replayed')).toBe('true');
    expect(later.json.id).toBe(created[0]!.json.id);
    expect((await liveSandboxes(A.scope.orgId)).filter((s) => s.id === later.json.id)).toHaveLength(1);
    expect(await liveSandboxes(A.scope.orgId)).toHaveLength(1);

    // The same key with a different body is a mistake, not a retry.
    const other = await api(list.POST, 'POST', '/sandboxes', { key: A.developer, body: { metadata: { job: 'other' } }, headers });
    expect(other.status).toBe(422);
    expect(other.json.error.code).toBe('idempotency_key_reused');
    // Keys are per org: another org's identical key is its own request.
    const elsewhere = await api(list.POST, 'POST', '/sandboxes', { key: B.developer, body, headers });
    expect(elsewhere.status).toBe(201);
    expect(elsewhere.json.id).not.toBe(later.json.id);
    expect(await liveSandboxes(A.scope.orgId)).toHaveLength(1);
  });

  it('a retried exec returns the first result without running the command again', async () => {
    const sb = await api(list.POST, 'POST', '/sandboxes', { key: A.developer, body: {} });
    const params = { id: sb.json.id };
    const headers = { 'idempotency-key': 'append-once' };
    const body = { cmd: ['bash', '-c', 'echo run >> /tmp/count; wc -l < /tmp/count'] };
    const first = await api(execRoute.POST, 'POST', `/sandboxes/${params.id}/exec`, { key: A.developer, body, headers, params });
    const retry = await api(execRoute.POST, 'POST', `/sandboxes/${params.id}/exec`, { key: A.developer, body, headers, params });
    expect(first.json.stdout).toBe('1\n');
    expect(retry.json).toEqual(first.json);
    const count = await api(execRoute.POST, 'POST', `/sandboxes/${params.id}/exec`, { key: A.developer, body: { cmd: ['cat', '/tmp/count'] }, params });
    expect(count.json.stdout).toBe('run\n');
  });

  it('a retried snapshot returns the first snapshot, and a stored 4xx answer is replayed too', async () => {
    const sb = await api(list.POST, 'POST', '/sandboxes', { key: A.developer, body: {} });
    const params = { id: sb.json.id };
    const headers = { 'idempotency-key': 'snap-1' };
    const one = await api(snapshotsRoute.POST, 'POST', `/sandboxes/${params.id}/snapshots`, { key: A.developer, body: { name: 'x' }, headers, params });
    const two = await api(snapshotsRoute.POST, 'POST', `/sandboxes/${params.id}/snapshots`, { key: A.developer, body: { name: 'x' }, headers, params });
    expect(one.status).toBe(201);
    expect(two.json.id).toBe(one.json.id);
    const db = await getDb();
    const snaps = await db.select().from(schema.snapshots).where(eq(schema.snapshots.orgId, A.scope.orgId));
    expect(snaps.filter((s) => s.name === 'x')).toHaveLength(1);

    // A 4xx answer (here: no such sandbox) is the answer to that request: replayed as well.
    const missing = { id: 'nosuchsandbox0000000' };
    const notFound = await api(snapshotsRoute.POST, 'POST', '/sandboxes/x/snapshots', { key: A.developer, body: {}, headers: { 'idempotency-key': 'k404' }, params: missing });
    expect(notFound.status).toBe(404);
    const again = await api(snapshotsRoute.POST, 'POST', '/sandboxes/x/snapshots', { key: A.developer, body: {}, headers: { 'idempotency-key': 'k404' }, params: missing });
    expect(again.res.headers.get('idempotent-replayed')).toBe('true');
  });

  it('reads at most the route\'s body limit to fingerprint a request, and sweeps expired answers', async () => {
    const big = JSON.stringify({ metadata: { pad: 'x'.repeat(70 * 1024) } });
    const res = await api(list.POST, 'POST', '/sandboxes', { key: A.developer, raw: big, headers: { 'idempotency-key': 'big', 'content-type': 'application/json' } });
    expect(res.status).toBe(413);
    const db = await getDb();
    expect(await db.select().from(schema.idempotencyKeys).where(and(eq(schema.idempotencyKeys.orgId, A.scope.orgId), eq(schema.idempotencyKeys.key, 'big')))).toHaveLength(0);
    await db.insert(schema.idempotencyKeys).values({ orgId: A.scope.orgId, key: 'old', fingerprint: 'f', state: 'done', status: 201, body: '{}', createdAt: sql`now() - interval '25 hours'` });
    expect(await sweepIdempotencyKeys()).toBeGreaterThanOrEqual(1);
    expect(await db.select().from(schema.idempotencyKeys).where(eq(schema.idempotencyKeys.key, 'old'))).toHaveLength(0);
  });

  it('refuses malformed keys, and a first request abandoned by a dead console is taken over', async () => {
    const bad = await api(list.POST, 'POST', '/sandboxes', { key: A.developer, body: {}, headers: { 'idempotency-key': 'has space' } });
    expect(bad.status).toBe(400);
    const db = await getDb();
    const body = JSON.stringify({ metadata: { job: 'abandoned' } });
    // What a console killed mid-create leaves behind: an in-flight record, locked long ago.
    const { createHash } = await import('node:crypto');
    const fingerprint = createHash('sha256').update('POST /api/v1/sandboxes\n').update(body).digest('hex');
    await db.insert(schema.idempotencyKeys).values({ orgId: A.scope.orgId, key: 'abandoned', fingerprint, state: 'in_flight', lockedAt: sql`now() - interval '5 minutes'` });
    const res = await api(list.POST, 'POST', '/sandboxes', { key: A.developer, raw: body, headers: { 'idempotency-key': 'abandoned', 'content-type': 'application/json' } });
    expect(res.status).toBe(201);
    // A fresh in-flight record is not taken over: the retry is told to wait.
    await db.insert(schema.idempotencyKeys).values({ orgId: A.scope.orgId, key: 'busy', fingerprint, state: 'in_flight' });
    const busy = await api(list.POST, 'POST', '/sandboxes', { key: A.developer, raw: body, headers: { 'idempotency-key': 'busy', 'content-type': 'application/json' } });
    expect(busy.status).toBe(409);
    expect(busy.res.headers.get('retry-after')).toBe('1');
  });

  it('a retry taking over from a dead console finishes the sandbox the first try made, never a second', async () => {
    const db = await getDb();
    const where = (key: string) => and(eq(schema.idempotencyKeys.orgId, A.scope.orgId), eq(schema.idempotencyKeys.key, key));
    // What a console killed mid-create leaves: the key in flight (its answer never stored) and
    // the row it inserted; the runner got the create (`reached`) or never did.
    for (const reached of [true, false]) {
      const key = `dead-console-${reached}`;
      const body = { metadata: { job: key } };
      const first = await api(list.POST, 'POST', '/sandboxes', { key: A.developer, body, headers: { 'idempotency-key': key } });
      expect(first.status).toBe(201);
      if (!reached) {
        await runner.client.delete(first.json.id);
        await db.update(schema.sandboxes).set({ state: 'creating' }).where(eq(schema.sandboxes.id, first.json.id));
      }
      await db.update(schema.idempotencyKeys).set({ state: 'in_flight', status: null, body: null, lockedAt: sql`now() - interval '5 minutes'` }).where(where(key));

      const retry = await api(list.POST, 'POST', '/sandboxes', { key: A.developer, body, headers: { 'idempotency-key': key } });
      expect(retry.status).toBe(201);
      expect(retry.json).toMatchObject({ id: first.json.id, state: 'running' });
      expect((await runner.client.get(first.json.id)).state).toBe('running');
      const tagged = (await liveSandboxes(A.scope.orgId)).filter((s) => s.id === first.json.id);
      expect(tagged).toHaveLength(1);
      const rows = await db.select().from(schema.sandboxes).where(and(eq(schema.sandboxes.orgId, A.scope.orgId), isNull(schema.sandboxes.deletedAt)));
      expect(rows.filter((r) => r.metadata.job === key)).toHaveLength(1);
    }
  });

  it("a snapshot retry taking over from a dead console returns the first try's snapshot, never a second", async () => {
    const db = await getDb();
    const sb = await api(list.POST, 'POST', '/sandboxes', { key: A.developer, body: {} });
    const params = { id: sb.json.id };
    for (const reached of [true, false]) {
      const key = `dead-console-snap-${reached}`;
      const headers = { 'idempotency-key': key };
      const first = await api(snapshotsRoute.POST, 'POST', `/sandboxes/${params.id}/snapshots`, { key: A.developer, body: { name: key }, headers, params });
      expect(first.status).toBe(201);
      // The console died after the runner's copy (or before it), before its row was written.
      await db.delete(schema.snapshots).where(eq(schema.snapshots.id, first.json.id));
      if (!reached) await runner.client.snapshots.delete(first.json.id);
      const where = and(eq(schema.idempotencyKeys.orgId, A.scope.orgId), eq(schema.idempotencyKeys.key, key));
      await db.update(schema.idempotencyKeys).set({ state: 'in_flight', status: null, body: null, lockedAt: sql`now() - interval '5 minutes'` }).where(where);

      const retry = await api(snapshotsRoute.POST, 'POST', `/sandboxes/${params.id}/snapshots`, { key: A.developer, body: { name: key }, headers, params });
      expect(retry.status).toBe(201);
      expect(retry.json.id).toBe(first.json.id);
      expect((await runner.client.snapshots.list()).filter((s) => s.name === key).map((s) => s.id)).toEqual([first.json.id]);
      const rows = await db.select().from(schema.snapshots).where(eq(schema.snapshots.name, key));
      expect(rows.map((r) => r.id)).toEqual([first.json.id]);
    }
  });
});
