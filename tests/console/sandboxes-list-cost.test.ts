import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { type Db, getDb, schema } from '@/db';
import { openEmbedded } from '@/db/embedded';
import type { JournalEvent } from '@/lib/runner-client';
import { listSandboxes, listSandboxesIn } from '@/lib/sandboxes/queries';
import { applyEvent, loadContext } from '@/lib/usage/apply-events';
import { livePieces } from '@/lib/usage/live';
import { recomputeRollups, Touched } from '@/lib/usage/periods';
import { costOfSubjects } from '@/lib/usage/queries';
import { stateEvent } from './helpers/journal-events';
import { makeOrg, makeSandboxRow, uniq } from './helpers/fixtures';

/**
 * The list prices its page in its own statement (closed rollups, open periods and the plan's
 * rates fetched with the rows): it must agree with costOfSubjects to the micro-dollar, and never
 * count usage another org recorded on the same subject id.
 */
const state = (seq: number, sandboxId: string, s: 'running' | 'paused', at: string) => stateEvent(seq, sandboxId, s, at, { diskBytes: 3 * 2 ** 30 });

async function apply(db: Db, events: JournalEvent[]) {
  await db.transaction(async (tx) => {
    const ctx = await loadContext(tx, events, 'local');
    const touched = new Touched();
    for (const e of events) expect(await applyEvent(tx, e, ctx, touched)).toBe(true);
    await recomputeRollups(tx, touched);
  });
}

/** A plan of the org's own with rates unlike the env's: the list must price with the plan's. */
async function customPlan(db: Db, orgId: string) {
  const [free] = await db.select().from(schema.plans).where(eq(schema.plans.id, 'free'));
  const id = `p${uniq()}`;
  await db.insert(schema.plans).values({
    ...free!,
    id,
    name: id,
    custom: true,
    orgId,
    vcpuHourMicros: 77_777,
    memoryGibHourMicros: 33_333,
    pausedGibHourMicros: 12_345,
    storageGibHourMicros: 999,
    stripePriceId: null,
  });
  await db.update(schema.orgs).set({ planId: id }).where(eq(schema.orgs.id, orgId));
}

/** Another org's rows on the same subject id: a closed hour and an open period. */
async function foreignUsage(db: Db, orgId: string, subject: string) {
  await db.insert(schema.usageHourly).values({
    orgId,
    hour: new Date('2026-11-30T09:00:00.000Z'),
    subject,
    sandboxId: subject,
    kind: 'compute',
    durationMs: 3_600_000,
    vcpuMilliMs: '0',
    memMibMs: '0',
    diskByteMs: '0',
    cpuMs: 0,
    costMicros: 7_777_777,
  });
  await db.insert(schema.usagePeriods).values({
    orgId,
    subject,
    sandboxId: subject,
    kind: 'compute',
    startedAt: new Date('2026-11-30T08:00:00.000Z'),
    vcpuMilli: 4000,
    memoryMb: 8192,
  });
}

describe('sandbox list costs', () => {
  it('equal costOfSubjects at the same instant: closed hours, open periods across hours, plan rates; other orgs never count', async () => {
    const db = await getDb();
    const { scope } = await makeOrg();
    const other = await makeOrg();
    await customPlan(db, scope.orgId);
    const id = await makeSandboxRow(scope);
    const idle = await makeSandboxRow(scope);
    // Compute closes at 11:10:20.457 (two closed hours in the rollups); paused stays open from an
    // odd millisecond, and `now` is two hour boundaries later.
    await apply(db, [state(1, id, 'running', '2026-11-30T10:30:00.123Z'), state(2, id, 'paused', '2026-11-30T11:10:20.457Z')]);
    const now = new Date('2026-11-30T13:05:07.891Z');
    const open = await db.select().from(schema.usagePeriods).where(eq(schema.usagePeriods.subject, id));
    expect(open.filter((p) => p.endedAt === null).map((p) => p.kind)).toEqual(['paused']);

    const expected = (await costOfSubjects(scope.orgId, [id], now)).get(id)!;
    const closed = await db.select().from(schema.usageHourly).where(eq(schema.usageHourly.subject, id));
    const closedSum = closed.reduce((s, h) => s + h.costMicros, 0);
    expect(closedSum).toBeGreaterThan(0);
    expect(expected).toBeGreaterThan(closedSum);

    await foreignUsage(db, other.scope.orgId, id);
    const page = await listSandboxes(scope, {}, now);
    const byId = new Map(page.sandboxes.map((s) => [s.id, s.costMicros]));
    expect(byId.get(id)).toBe(expected);
    expect(byId.get(idle)).toBe(0);
    expect((await costOfSubjects(scope.orgId, [id], now)).get(id)).toBe(expected);

    // The other shapes: a next page (prepared, with a cursor) and a filtered one (built per request).
    const first = await listSandboxes(scope, { limit: 1 }, now);
    expect(first.sandboxes.map((s) => s.id)).toEqual([idle]);
    const second = await listSandboxes(scope, { limit: 1, cursor: first.nextCursor! }, now);
    expect(second.sandboxes.map((s) => [s.id, s.costMicros])).toEqual([[id, expected]]);
    expect(second.nextCursor).toBeNull();
    const filtered = await listSandboxes(scope, { state: 'running', q: id }, now);
    expect(filtered.sandboxes.map((s) => [s.id, s.costMicros])).toEqual([[id, expected]]);
    // The other org sees none of it: the sandbox is not in its list at all.
    expect((await listSandboxes(other.scope, {}, now)).sandboxes).toEqual([]);
  });

  it('works on the embedded database (PGlite driver)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-list-pglite-'));
    const handle = await openEmbedded(path.join(dir, 'db'), schema);
    try {
      const db = handle.db;
      const [org] = await db.insert(schema.orgs).values({ slug: 'list', name: 'List' }).returning();
      const [foreign] = await db.insert(schema.orgs).values({ slug: 'other', name: 'Other' }).returning();
      const id = `sb${uniq()}`;
      await db.insert(schema.sandboxes).values({ id, orgId: org!.id, runnerId: 'local', state: 'running', cpu: 1, memoryMb: 1024, diskMb: 1024, network: { mode: 'none' }, timeoutSec: 0, createdBy: 'test' });
      await apply(db, [state(1, id, 'running', '2026-11-30T10:30:00.123Z'), state(2, id, 'paused', '2026-11-30T11:10:20.457Z')]);
      await foreignUsage(db, foreign!.id, id);
      const now = new Date('2026-11-30T13:05:07.891Z');
      // costOfSubjects' arithmetic on this handle (it reads the process's database).
      const closed = await db.select().from(schema.usageHourly).where(and(eq(schema.usageHourly.orgId, org!.id), eq(schema.usageHourly.subject, id)));
      const live = await livePieces(db, { orgId: org!.id, subjects: [id] }, new Date(0), now, now);
      expect(live.length).toBeGreaterThan(2); // open periods cut at 12:00 and 13:00
      const expected = closed.reduce((s, h) => s + h.costMicros, 0) + live.reduce((s, p) => s + p.costMicros, 0);
      const page = await listSandboxesIn(db, { orgId: org!.id }, {}, now);
      expect(page.sandboxes.map((s) => [s.id, s.costMicros])).toEqual([[id, expected]]);
      const next = await listSandboxesIn(db, { orgId: org!.id }, { cursor: Buffer.from(`2999-01-01T00:00:00.000000Z|zzz`).toString('base64url') }, now);
      expect(next.sandboxes.map((s) => s.id)).toEqual([id]);
    } finally {
      await handle.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
